"""The reference page of the web benchmark (bench/web.py), mounted at /bench/reference/
only while the server runs with CLIENTREVIEW_BENCH=1 (clientreview/urls.py).

It does what every logged-in page must and nothing else: the app's middleware reads the
session, the user and their memberships, the view runs one query for 25 of the business's
clients, and a template extending the layout draws them. Each measured page's throughput
is reported as a ratio of this page's, so the ratio is the page's own work.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from accounts.tenancy import for_business, member_required
from assessments.models import Client

ROWS = 25


@member_required
def reference(request: HttpRequest) -> HttpResponse:
    clients = for_business(Client, request).order_by("name", "id")[:ROWS]
    return render(request, "bench/reference.html", {"clients": clients})


app_name = "bench"
urlpatterns = [path("reference/", reference, name="reference")]
