from __future__ import annotations


def tenancy(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "current_business": getattr(request, "business", None),
        "current_membership": membership,
        "all_memberships": getattr(request, "memberships", []),
        "is_owner": bool(membership and membership.is_owner),
    }
