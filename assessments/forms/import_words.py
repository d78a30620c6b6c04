"""Column names and row types as accounting exports and people write them, in the import's
six languages.

Keys are compared after `fold()` (case and accents removed), as the English ones are. Only
names whose column holds what ours does: "paid" columns often hold an amount or a tick,
so only "date of payment" names map to our paid-on date.
"""

from __future__ import annotations

from assessments.forms.import_values import fold

INVOICE, EXPENSE = "invoice", "expense"
_ENGLISH_TYPES = {
    "": INVOICE,
    "invoice": INVOICE,
    "sale": INVOICE,
    "expense": EXPENSE,
    "cost": EXPENSE,
    "purchase": EXPENSE,
}
# English header names as accounting exports spell them.
_ENGLISH: dict[str, str] = {
    **dict.fromkeys(
        ["client", "client name", "customer", "customer name", "company", "bill to"], "client"
    ),
    **dict.fromkeys(
        [
            "number",
            "invoice number",
            "invoice no",
            "invoice",
            "invoice id",
            "invoice ref",
            "no",
            "num",
            "reference",
            "ref",
        ],
        "number",
    ),
    **dict.fromkeys(
        ["issued", "issued on", "issue date", "invoice date", "date", "date issued", "issued date"],
        "issued",
    ),
    **dict.fromkeys(["due", "due on", "due date", "date due", "payment due"], "due"),
    **dict.fromkeys(
        ["amount", "total", "invoice total", "total amount", "amount total", "gross", "value"],
        "amount",
    ),
    **dict.fromkeys(
        ["paid", "paid on", "paid date", "date paid", "payment date", "paid at"], "paid"
    ),
    **dict.fromkeys(["disputed", "dispute", "in dispute", "is disputed"], "disputed"),
    **dict.fromkeys(["type", "kind", "row type", "entry type"], "type"),
    **dict.fromkeys(["note", "notes", "memo", "description", "details"], "note"),
}

# The other five languages.
HEADERS: dict[str, tuple[str, ...]] = {
    "client": (
        "πελάτης",
        "επωνυμία πελάτη",
        "όνομα πελάτη",
        "고객",
        "고객명",
        "거래처",
        "거래처명",
        "клиент",
        "покупатель",
        "контрагент",
        "заказчик",
        "viðskiptavinur",
        "kaupandi",
        "nafn viðskiptavinar",
        "klijent",
        "kupac",
        "naziv kupca",
        "naručitelj",
    ),
    "number": (
        "αριθμός",
        "αριθμός τιμολογίου",
        "αρ τιμολογίου",
        "번호",
        "청구서 번호",
        "송장 번호",
        "인보이스 번호",
        "номер",
        "номер счёта",
        "номер счета",
        "№ счёта",
        "№ счета",
        "númer",
        "reikningsnúmer",
        "nr reiknings",
        "broj",
        "broj računa",
        "br računa",
    ),
    "issued": (
        "ημερομηνία",
        "ημερομηνία έκδοσης",
        "ημερομηνία τιμολογίου",
        "날짜",
        "발행일",
        "작성일자",
        "청구일",
        "дата",
        "дата счёта",
        "дата счета",
        "дата выставления",
        "dagsetning",
        "útgáfudagur",
        "reikningsdagur",
        "datum",
        "datum izdavanja",
        "datum računa",
    ),
    "due": (
        "λήξη",
        "ημερομηνία λήξης",
        "προθεσμία πληρωμής",
        "만기일",
        "지급기한",
        "납부기한",
        "срок оплаты",
        "оплатить до",
        "дата оплаты по договору",
        "gjalddagi",
        "eindagi",
        "dospijeće",
        "datum dospijeća",
        "rok plaćanja",
    ),
    "amount": (
        "ποσό",
        "σύνολο",
        "αξία",
        "금액",
        "합계",
        "합계금액",
        "청구금액",
        "сумма",
        "итого",
        "сумма счёта",
        "сумма счета",
        "upphæð",
        "fjárhæð",
        "samtals",
        "iznos",
        "ukupno",
        "ukupan iznos",
    ),
    "paid": (
        "ημερομηνία πληρωμής",
        "ημερομηνία εξόφλησης",
        "지급일",
        "입금일",
        "결제일",
        "дата оплаты",
        "дата платежа",
        "greiðsludagur",
        "greitt þann",
        "datum plaćanja",
        "plaćeno dana",
    ),
    "disputed": (
        "αμφισβήτηση",
        "αμφισβητείται",
        "분쟁",
        "이의",
        "спор",
        "оспаривается",
        "спорный",
        "ágreiningur",
        "umdeilt",
        "spor",
        "sporno",
        "osporeno",
    ),
    "type": ("τύπος", "είδος", "유형", "구분", "тип", "вид", "tegund", "vrsta", "tip"),
    "note": (
        "σημείωση",
        "σημειώσεις",
        "περιγραφή",
        "메모",
        "비고",
        "설명",
        "примечание",
        "комментарий",
        "описание",
        "athugasemd",
        "skýring",
        "lýsing",
        "napomena",
        "opis",
        "bilješka",
    ),
}

INVOICE_WORDS = ("τιμολόγιο", "청구서", "송장", "счёт", "счет", "reikningur", "račun")
EXPENSE_WORDS = (
    "έξοδο",
    "δαπάνη",
    "비용",
    "지출",
    "расход",
    "затраты",
    "kostnaður",
    "útgjöld",
    "trošak",
)


# Header name after imports._normalise_header() (folded) -> our field.
ALIASES: dict[str, str] = {fold(name): key for name, key in _ENGLISH.items()} | {
    fold(name): key for key, names in HEADERS.items() for name in names
}
TYPE_WORDS: dict[str, str] = (
    {fold(word): kind for word, kind in _ENGLISH_TYPES.items()}
    | dict.fromkeys(map(fold, INVOICE_WORDS), INVOICE)
    | dict.fromkeys(map(fold, EXPENSE_WORDS), EXPENSE)
)
