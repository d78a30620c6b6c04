"""How much load data to build."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    clients: int = 10_000
    incidents: int = 200_000
    invoices: int = 100_000
    time_entries: int = 100_000

    def scaled(self, clients: int) -> Size:
        """The same proportions for a smaller business."""
        ratio = clients / self.clients if self.clients else 0
        return Size(
            clients=clients,
            incidents=round(self.incidents * ratio),
            invoices=round(self.invoices * ratio),
            time_entries=round(self.time_entries * ratio),
        )
