"""A built-in sample portfolio and large synthetic ledgers.

:func:`sample_ledger` builds a small, realistic portfolio (about 50 customers
and a few hundred invoices) that shows every feature of the domain model:
the three customer profiles, five countries, two currencies and a third for
some business customers, payment terms with end-of-month and early-payment
discount rules, full, partial and late payments, disputes, an invoice on
hold, credit notes, an overpayment, payment plans, a broken promise to pay,
deposit requests, trials and a dunning block. Tutorials, the ``arpolicy
demo`` command and tests use it.

:func:`synthetic_ledger` builds large, plainer ledgers quickly, for tests
and benchmarks.

Both are deterministic: the same arguments give an equal ledger. They draw
from their own :class:`random.Random`, never from the global generator or
the clock.

>>> ledger = sample_ledger()
>>> len(ledger.customers)
50
>>> ledger.currencies()
('EUR', 'GBP', 'USD')
>>> sample_ledger() == ledger
True
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, NamedTuple

import attrs

from .model import (
    Contacts,
    Customer,
    Dispute,
    DunningBlock,
    EndOfMonth,
    Instalment,
    Invoice,
    InvoiceKind,
    Ledger,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    TrialKind,
)
from .money import Money

__all__ = ["SAMPLE_AS_OF", "SAMPLE_SEED", "sample_ledger", "small_ledger", "synthetic_ledger"]

SAMPLE_AS_OF: Final = date(2026, 11, 2)
"""The date the sample portfolio is built around (its "today")."""

SAMPLE_SEED: Final = 2026
"""The default seed of :func:`sample_ledger`."""

# ---------------------------------------------------------------------------
# locales: small word lists per country and language
# ---------------------------------------------------------------------------


class _Locale(NamedTuple):
    """What customers of one country and language look like.

    In ``postcode`` and ``phone`` patterns ``#`` is any digit, ``%`` a digit
    from 1 to 9 and ``@`` a capital letter; everything else is literal.
    """

    country: str
    language: str
    timezone: str
    currency: str
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    sectors: tuple[str, ...]
    legal_forms: tuple[str, ...]
    council: str
    mailbox: str
    address: str
    postcode: str
    phone: str


_LOCALES: Final = (
    _Locale(
        "NL",
        "nl",
        "Europe/Amsterdam",
        "EUR",
        ("Amsterdam", "Utrecht", "Rotterdam", "Eindhoven", "Groningen", "Zwolle", "Leiden"),
        ("Kerkstraat", "Stationsweg", "Molenstraat", "Julianalaan", "Nieuwe Gracht", "Dorpsstraat"),
        ("Sanne", "Daan", "Lotte", "Bram", "Fleur", "Thijs", "Anouk", "Joris"),
        ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"),
        ("Bouw", "Logistiek", "Installatietechniek", "Advies", "Drukwerk", "Schoonmaak"),
        ("B.V.",),
        "Gemeente {city}",
        "facturen",
        "{street} {number}, {postcode} {city}",
        "%### @@",
        "+31 6 #### ####",
    ),
    _Locale(
        "DE",
        "de",
        "Europe/Berlin",
        "EUR",
        ("Berlin", "München", "Köln", "Hamburg", "Leipzig", "Stuttgart", "Dresden"),
        ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Lindenallee"),
        ("Lena", "Jonas", "Mia", "Lukas", "Hannah", "Felix", "Emma", "Paul"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"),
        ("Bau", "Logistik", "Haustechnik", "Beratung", "Druck", "Maschinenbau"),
        ("GmbH", "GmbH & Co. KG", "AG"),
        "Stadt {city}",
        "rechnungen",
        "{street} {number}, {postcode} {city}",
        "%####",
        "+49 15# #######",
    ),
    _Locale(
        "BE",
        "nl",
        "Europe/Brussels",
        "EUR",
        ("Gent", "Antwerpen", "Leuven", "Brugge", "Hasselt", "Mechelen"),
        ("Kerkstraat", "Stationsstraat", "Veldstraat", "Grote Markt", "Nieuwstraat"),
        ("Lars", "Noor", "Wout", "Elise", "Arne", "Hanne", "Jens", "Lien"),
        ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens"),
        ("Bouw", "Logistiek", "Advies", "Techniek", "Drukkerij"),
        ("BV", "NV"),
        "Stad {city}",
        "facturatie",
        "{street} {number}, {postcode} {city}",
        "%###",
        "+32 4## ## ## ##",
    ),
    _Locale(
        "BE",
        "fr",
        "Europe/Brussels",
        "EUR",
        ("Liège", "Namur", "Charleroi", "Mons", "Wavre"),
        ("Rue de la Station", "Rue Haute", "Chaussée de Bruxelles", "Place Saint-Lambert"),
        ("Camille", "Louis", "Chloé", "Hugo", "Manon", "Arthur", "Julie", "Théo"),
        ("Dubois", "Lambert", "Dupont", "Leclercq", "Renard", "Simon", "Lejeune", "Laurent"),
        ("Construction", "Logistique", "Conseil", "Techniques", "Imprimerie"),
        ("SRL", "SA"),
        "Ville de {city}",
        "comptabilite",
        "{street} {number}, {postcode} {city}",
        "%###",
        "+32 4## ## ## ##",
    ),
    _Locale(
        "FR",
        "fr",
        "Europe/Paris",
        "EUR",
        ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux"),
        ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur"),
        ("Léa", "Lucas", "Chloé", "Gabriel", "Inès", "Jules", "Manon", "Louise"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
        ("Bâtiment", "Transports", "Conseil", "Imprimerie", "Services"),
        ("SARL", "SAS"),
        "Mairie de {city}",
        "factures",
        "{number} {street}, {postcode} {city}",
        "%####",
        "+33 6 ## ## ## ##",
    ),
    _Locale(
        "GB",
        "en",
        "Europe/London",
        "GBP",
        ("London", "Manchester", "Leeds", "Bristol", "Birmingham", "Norwich", "York"),
        ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"),
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Olivia", "Jack", "Emily"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Clarke"),
        ("Building", "Logistics", "Consulting", "Engineering", "Print"),
        ("Ltd", "LLP"),
        "{city} City Council",
        "accounts",
        "{number} {street}, {city} {postcode}",
        "@@% %@@",
        "+44 7700 900###",
    ),
)

_COUNTRY_WEIGHTS: Final = {"NL": 35, "DE": 25, "BE": 15, "FR": 15, "GB": 10}


def _locales_of(country: str) -> tuple[_Locale, ...]:
    return tuple(loc for loc in _LOCALES if loc.country == country)


def _fill(rng: random.Random, pattern: str) -> str:
    """Fill a ``#``/``%``/``@`` pattern with random digits and letters."""
    out: list[str] = []
    for char in pattern:
        if char == "#":
            out.append(str(rng.randint(0, 9)))
        elif char == "%":
            out.append(str(rng.randint(1, 9)))
        elif char == "@":
            out.append(chr(rng.randint(ord("A"), ord("Z"))))
        else:
            out.append(char)
    return "".join(out)


def _slug(text: str, sep: str = "-") -> str:
    """ASCII lower-case words of ``text`` joined by ``sep``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", sep, plain.lower()).strip(sep)


def _address(rng: random.Random, loc: _Locale, city: str) -> str:
    return loc.address.format(
        street=rng.choice(loc.streets),
        number=rng.randint(1, 180),
        postcode=_fill(rng, loc.postcode),
        city=city,
    )


# ---------------------------------------------------------------------------
# customers
# ---------------------------------------------------------------------------

_PROFILE_COUNTS: Final = ((Profile.GOVERNMENT, 8), (Profile.BUSINESS, 24), (Profile.PRIVATE, 18))

# Each role gives one customer a storyline; see _SCENARIOS below.
_ROLES: Final = (
    ("end_of_month_terms", Profile.BUSINESS),
    ("discount_terms", Profile.BUSINESS),
    ("second_currency", Profile.BUSINESS),
    ("second_currency", Profile.BUSINESS),
    ("blocked", Profile.BUSINESS),
    ("over_credit_limit", Profile.BUSINESS),
    ("open_dispute", Profile.BUSINESS),
    ("resolved_dispute", Profile.BUSINESS),
    ("completed_plan", Profile.BUSINESS),
    ("broken_promise", Profile.BUSINESS),
    ("deposit_paid", Profile.BUSINESS),
    ("deposit_unpaid", Profile.BUSINESS),
    ("allowance", Profile.BUSINESS),
    ("purchase_order_dispute", Profile.GOVERNMENT),
    ("on_hold", Profile.GOVERNMENT),
    ("duplicate_payment", Profile.PRIVATE),
    ("payment_plan", Profile.PRIVATE),
    ("partial_payment", Profile.PRIVATE),
    ("trial", Profile.PRIVATE),
)
_NEW_CUSTOMER_ROLES: Final = frozenset({"deposit_paid", "deposit_unpaid", "trial"})
"""Customers who joined recently: no invoice history."""
_RELIABLE_ROLES: Final = frozenset({"duplicate_payment", "payment_plan", "completed_plan"})
"""Customers whose ordinary invoices are all paid on time."""

_NET_14: Final = PaymentTerms(net_days=14)
_NET_30: Final = PaymentTerms(net_days=30)
_END_OF_MONTH_30: Final = PaymentTerms(net_days=30, end_of_month=EndOfMonth.AFTER_NET)
_DISCOUNT_2_7_NET_30: Final = PaymentTerms(
    net_days=30, discount_percent=Decimal(2), discount_days=7
)
_DEPOSIT_30: Final = PaymentTerms(net_days=30, deposit_percent=Decimal(30))

_METHODS: Final = {
    Profile.GOVERNMENT: (PaymentMethod.BANK_TRANSFER,),
    Profile.BUSINESS: (
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.DIRECT_DEBIT,
    ),
    Profile.PRIVATE: (
        PaymentMethod.DIRECT_DEBIT,
        PaymentMethod.CARD,
        PaymentMethod.DEBIT_CARD,
        PaymentMethod.PAYMENT_LINK,
        PaymentMethod.BANK_TRANSFER,
    ),
}


class _Seat(NamedTuple):
    """A customer before it is built: id, profile, locale and storyline."""

    id: str
    profile: Profile
    locale: _Locale
    role: str | None


def _seats(rng: random.Random) -> list[_Seat]:
    """Decide who the customers are and give some of them a role."""
    drawn: list[tuple[Profile, _Locale]] = []
    # Government customers cover every country, so all five always appear.
    for country in ("NL", "DE", "BE", "FR", "GB", "NL", "DE", "BE"):
        drawn.append((Profile.GOVERNMENT, rng.choice(_locales_of(country))))
    countries, weights = list(_COUNTRY_WEIGHTS), list(_COUNTRY_WEIGHTS.values())
    for profile, count in _PROFILE_COUNTS[1:]:
        for country in rng.choices(countries, weights, k=count):
            drawn.append((profile, rng.choice(_locales_of(country))))
    rng.shuffle(drawn)
    ids = [f"C{n:03d}" for n in range(1, len(drawn) + 1)]
    role_of: dict[str, str] = {}
    for profile, _ in _PROFILE_COUNTS:
        candidates = [cid for cid, (p, _loc) in zip(ids, drawn, strict=True) if p is profile]
        roles = [role for role, p in _ROLES if p is profile]
        for cid, role in zip(rng.sample(candidates, len(roles)), roles, strict=True):
            role_of[cid] = role
    return [
        _Seat(cid, profile, loc, role_of.get(cid))
        for cid, (profile, loc) in zip(ids, drawn, strict=True)
    ]


def _identity(rng: random.Random, seat: _Seat, taken: set[str]) -> tuple[str, str]:
    """A unique display name and a plausible e-mail address."""
    loc = seat.locale
    while True:
        if seat.profile is Profile.GOVERNMENT:
            name = loc.council.format(city=rng.choice(loc.cities))
            email = f"{loc.mailbox}@{_slug(name)}.example"
        elif seat.profile is Profile.BUSINESS:
            base = f"{rng.choice(loc.last_names)} {rng.choice(loc.sectors)}"
            name = f"{base} {rng.choice(loc.legal_forms)}"
            email = f"{loc.mailbox}@{_slug(base)}.example"
        else:
            first, last = rng.choice(loc.first_names), rng.choice(loc.last_names)
            name = f"{first} {last}"
            email = f"{_slug(first, '')}.{_slug(last, '')}@mail.example"
        if name not in taken:
            taken.add(name)
            return name, email


def _contacts(rng: random.Random, seat: _Seat, email: str) -> Contacts:
    loc = seat.locale
    address = _address(rng, loc, rng.choice(loc.cities))
    phone = _fill(rng, loc.phone)
    if seat.profile is not Profile.PRIVATE:
        return Contacts(email=email, phone=phone, address=address)
    has_email = rng.random() < 0.9 or seat.role is not None
    has_phone = rng.random() < 0.75
    whatsapp = phone if has_phone and rng.random() < 0.4 else None
    return Contacts(
        email=email if has_email else None,
        phone=phone if has_phone else None,
        address=address,
        whatsapp=whatsapp,
    )


def _credit_limit(rng: random.Random, seat: _Seat) -> Money | None:
    if seat.role == "over_credit_limit":
        return Money(5000, seat.locale.currency)
    if seat.profile is Profile.BUSINESS and rng.random() < 0.5:
        return Money(rng.choice((10_000, 20_000, 25_000, 50_000)), seat.locale.currency)
    return None


def _customer(rng: random.Random, seat: _Seat, taken: set[str], *, vip: bool) -> Customer:
    name, email = _identity(rng, seat, taken)
    tags = {"vip"} if vip else set()
    if seat.role in _NEW_CUSTOMER_ROLES:
        tags.add("new")
    if seat.role == "trial":
        tags.add("trial")
    block = None
    if seat.role == "blocked":
        block = DunningBlock("Insolvency proceedings: claims filed with the administrator")
    return Customer(
        id=seat.id,
        name=name,
        profile=seat.profile,
        country=seat.locale.country,
        language=seat.locale.language,
        timezone=seat.locale.timezone,
        contacts=_contacts(rng, seat, email),
        credit_limit=_credit_limit(rng, seat),
        tags=frozenset(tags),
        block=block,
    )


def _terms(rng: random.Random, seat: _Seat) -> PaymentTerms:
    if seat.role == "end_of_month_terms":
        return _END_OF_MONTH_30
    if seat.role == "discount_terms":
        return _DISCOUNT_2_7_NET_30
    if seat.profile is Profile.PRIVATE:
        return _NET_14
    if seat.profile is Profile.BUSINESS and rng.random() < 0.25:
        return _NET_14
    return _NET_30


# ---------------------------------------------------------------------------
# the book: collects records, then numbers them in date order
# ---------------------------------------------------------------------------

_AMOUNT_RANGE: Final = {  # in cents
    Profile.GOVERNMENT: (50_000, 2_500_000),
    Profile.BUSINESS: (15_000, 1_200_000),
    Profile.PRIVATE: (2_500, 90_000),
}
_ID_PREFIX: Final = {
    InvoiceKind.INVOICE: "INV",
    InvoiceKind.DEPOSIT: "DEP",
    InvoiceKind.CREDIT_NOTE: "CN",
}


class _Book:
    """Collects the sample's records while scenarios add to it."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.customers: list[Customer] = []
        self.invoices: list[Invoice] = []
        self.payments: list[Payment] = []
        self.plans: list[PaymentPlan] = []
        self.trials: list[Trial] = []
        self.terms: dict[str, PaymentTerms] = {}
        self.methods: dict[str, PaymentMethod] = {}
        self.currency: dict[str, str] = {}

    def day(self, offset: int) -> date:
        """The date ``offset`` days from ``as_of`` (negative: before it)."""
        return self.as_of + timedelta(days=offset)

    def amount(self, customer: Customer, currency: str | None = None) -> Money:
        """A random invoice amount that suits the customer's profile."""
        low, high = _AMOUNT_RANGE[customer.profile]
        cents = self.rng.randint(low, self.rng.randint(low, high))  # skewed to small
        if customer.profile is not Profile.PRIVATE and self.rng.random() < 0.5:
            cents -= cents % 100
        return Money.from_minor(cents, currency or self.currency[customer.id])

    def invoice(
        self,
        customer: Customer,
        issued: date,
        amount: Money,
        *,
        terms: PaymentTerms | None = None,
        due: date | None = None,
        kind: InvoiceKind = InvoiceKind.INVOICE,
        dispute: Dispute | None = None,
        on_hold_until: date | None = None,
        metadata: dict[str, str] | None = None,
        quotes_order: bool = True,
    ) -> Invoice:
        """Add an invoice or deposit request (with a temporary id).

        Government invoices quote a purchase order unless ``quotes_order``
        is false; private customers' invoices carry a payment link.
        """
        terms = terms or self.terms[customer.id]
        reference = link = None
        if customer.profile is Profile.GOVERNMENT and quotes_order:
            reference = f"PO {self.rng.randint(4_500_000_000, 4_509_999_999)}"
        if customer.profile is Profile.PRIVATE:
            link = f"https://pay.example/{self.rng.getrandbits(48):012x}"
        inv = Invoice(
            f"tmp-{len(self.invoices)}",
            customer.id,
            issued,
            terms.due_date(issued) if due is None else due,
            amount,
            kind=kind,
            terms=terms,
            dispute=dispute,
            on_hold_until=on_hold_until,
            reference=reference,
            payment_link=link,
            metadata=metadata or {},
        )
        self.invoices.append(inv)
        return inv

    def credit_note(self, invoice: Invoice, issued: date, amount: Money) -> Invoice:
        """Add a credit note that corrects ``invoice``."""
        note = Invoice(
            f"tmp-{len(self.invoices)}",
            invoice.customer_id,
            issued,
            issued,
            amount,
            kind=InvoiceKind.CREDIT_NOTE,
            applies_to=invoice.id,
        )
        self.invoices.append(note)
        return note

    def pay(
        self,
        customer_id: str,
        on: date,
        amount: Money,
        invoice: Invoice | None = None,
        *,
        reference: str | None = None,
    ) -> Payment:
        """Add a payment; it names ``invoice`` when one is given."""
        payment = Payment(
            f"tmp-{len(self.payments)}",
            customer_id,
            on,
            amount,
            method=self.methods[customer_id],
            invoice_id=None if invoice is None else invoice.id,
            reference=reference,
        )
        self.payments.append(payment)
        return payment

    def plan(
        self, customer_id: str, invoices: list[Invoice], agreed: date, dues: list[date], grace: int
    ) -> PaymentPlan:
        """Add a plan paying the invoices' total in equal instalments."""
        currency = invoices[0].currency
        total = sum(i.amount.minor_units for i in invoices)
        share = total // len(dues)
        shares = [share] * (len(dues) - 1) + [total - share * (len(dues) - 1)]
        plan = PaymentPlan(
            f"PLAN-{len(self.plans) + 1:02d}",
            customer_id,
            [i.id for i in invoices],
            [
                Instalment(d, Money.from_minor(s, currency))
                for d, s in zip(dues, shares, strict=True)
            ],
            agreed_on=agreed,
            grace_days=grace,
        )
        self.plans.append(plan)
        return plan

    def ledger(self) -> Ledger:
        """Number invoices and payments by date, fix references, validate."""
        numbers: dict[str, str] = {}
        seq: dict[tuple[str, int], int] = {}
        invoices = sorted(enumerate(self.invoices), key=lambda p: (p[1].issue_date, p[0]))
        for _, inv in invoices:
            key = (_ID_PREFIX[inv.kind], inv.issue_date.year)
            seq[key] = seq.get(key, 0) + 1
            numbers[inv.id] = f"{key[0]}-{key[1]}-{seq[key]:04d}"
        renamed = [
            attrs.evolve(
                inv,
                id=numbers[inv.id],
                applies_to=None if inv.applies_to is None else numbers[inv.applies_to],
            )
            for _, inv in invoices
        ]
        payments = sorted(enumerate(self.payments), key=lambda p: (p[1].date, p[0]))
        paid = [
            attrs.evolve(
                pay,
                id=f"PAY-{n:05d}",
                invoice_id=None if pay.invoice_id is None else numbers[pay.invoice_id],
            )
            for n, (_, pay) in enumerate(payments, start=1)
        ]
        plans = [
            attrs.evolve(plan, invoice_ids=[numbers[i] for i in plan.invoice_ids])
            for plan in self.plans
        ]
        return Ledger(self.customers, renamed, paid, plans, self.trials)


# ---------------------------------------------------------------------------
# ordinary history: invoices over ten months and how they were paid
# ---------------------------------------------------------------------------

_HISTORY_COUNT: Final = {
    Profile.GOVERNMENT: (4, 8),
    Profile.BUSINESS: (5, 11),
    Profile.PRIVATE: (2, 5),
}
_LATE_SHARE: Final = {Profile.GOVERNMENT: 0.45, Profile.BUSINESS: 0.3, Profile.PRIVATE: 0.15}
_HISTORY_DAYS: Final = 300


def _history(book: _Book, customer: Customer, role: str | None) -> None:
    """Invoices issued over the ten months before ``as_of``, and their payments."""
    if role in _NEW_CUSTOMER_ROLES:
        return
    rng = book.rng
    count = rng.randint(*_HISTORY_COUNT[customer.profile])
    latest = 120 if role == "blocked" else 1  # the insolvent customer stopped buying
    ages = sorted(rng.sample(range(latest, _HISTORY_DAYS + 1), count), reverse=True)
    for n, age in enumerate(ages):
        currency = "USD" if role == "second_currency" and n % 3 == 1 else None
        inv = book.invoice(customer, book.day(-age), book.amount(customer, currency))
        _settle(book, customer, inv, reliable=role in _RELIABLE_ROLES)


def _on_time(rng: random.Random, inv: Invoice, as_of: date) -> date:
    """A payment date on or before the due date (and never after ``as_of``)."""
    latest = min(inv.due_date, as_of)
    earliest = max(inv.issue_date + timedelta(days=1), inv.due_date - timedelta(days=10))
    if earliest >= latest:
        return latest
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _settle(book: _Book, customer: Customer, inv: Invoice, *, reliable: bool) -> None:
    """Pay ``inv`` fully, partly, late or not at all, as customers do."""
    rng, as_of = book.rng, book.as_of
    terms = inv.terms
    age = (as_of - inv.issue_date).days
    if (
        terms is not None
        and terms.discount_days is not None
        and age > terms.discount_days
        and (reliable or rng.random() < 0.7)
    ):
        # Paid within the discount period; the discount is booked as a credit note.
        on = inv.issue_date + timedelta(days=rng.randint(2, terms.discount_days))
        discount = terms.discount(inv.amount)
        book.pay(customer.id, on, inv.amount - discount, inv)
        book.credit_note(inv, on, discount)
        return
    overdue = (as_of - inv.due_date).days
    if reliable or (overdue <= 0 and rng.random() < 0.3):
        book.pay(customer.id, _on_time(rng, inv, as_of), inv.amount, inv)
        return
    if overdue <= 0:
        return  # not due yet, not paid yet
    p_open = 0.03 if overdue > 90 else 0.1 if overdue > 30 else 0.35
    roll = rng.random()
    if roll < p_open:
        return  # unpaid and overdue
    roll -= p_open
    if roll < 0.06:
        share = Decimal(rng.randint(20, 80))
        on = max(inv.due_date + timedelta(days=rng.randint(-5, min(overdue, 40))), inv.issue_date)
        part = book.pay(customer.id, on, inv.amount.percent(share), inv)
        if overdue > 60 and rng.random() < 0.6:  # the rest came later
            rest = on + timedelta(days=rng.randint(1, overdue - (on - inv.due_date).days))
            book.pay(customer.id, rest, inv.amount - part.amount, inv)
    elif roll < 0.06 + _LATE_SHARE[customer.profile]:
        on = inv.due_date + timedelta(days=rng.randint(1, min(overdue, 75)))
        book.pay(customer.id, on, inv.amount, inv)
    else:
        book.pay(customer.id, _on_time(rng, inv, as_of), inv.amount, inv)


# ---------------------------------------------------------------------------
# scenarios: one storyline per role
# ---------------------------------------------------------------------------


def _open_dispute(book: _Book, customer: Customer) -> None:
    dispute = Dispute(book.day(-40), "Part of the delivery arrived damaged")
    book.invoice(customer, book.day(-75), book.amount(customer), dispute=dispute)


def _purchase_order_dispute(book: _Book, customer: Customer) -> None:
    dispute = Dispute(book.day(-15), "The invoice does not quote our purchase order number")
    book.invoice(
        customer, book.day(-50), book.amount(customer), dispute=dispute, quotes_order=False
    )


def _resolved_dispute(book: _Book, customer: Customer) -> None:
    """Disputed, resolved with a credit note; the rest is overdue again."""
    dispute = Dispute(book.day(-68), "Two days of work billed twice", resolved_on=book.day(-20))
    inv = book.invoice(customer, book.day(-100), book.amount(customer), dispute=dispute)
    book.credit_note(inv, book.day(-20), inv.amount.percent(15))


def _on_hold(book: _Book, customer: Customer) -> None:
    book.invoice(
        customer,
        book.day(-60),
        book.amount(customer),
        on_hold_until=book.day(14),
        metadata={"hold_reason": "Awaiting the signed delivery note"},
    )


def _duplicate_payment(book: _Book, customer: Customer) -> None:
    """An invoice paid twice: the customer has credit."""
    inv = book.invoice(customer, book.day(-30), book.amount(customer))
    book.pay(customer.id, inv.due_date, inv.amount, inv)
    book.pay(customer.id, inv.due_date, inv.amount, inv, reference="collected twice")


def _payment_plan(book: _Book, customer: Customer) -> None:
    """Two overdue invoices in a four-month plan; two instalments paid, on track."""
    invoices = [book.invoice(customer, book.day(-a), book.amount(customer)) for a in (150, 120)]
    dues = [book.day(-45), book.day(-15), book.day(15), book.day(45)]
    plan = book.plan(customer.id, invoices, book.day(-60), dues, grace=7)
    book.pay(customer.id, book.day(-45), plan.instalments[0].amount, reference=plan.id)
    book.pay(customer.id, book.day(-12), plan.instalments[1].amount, reference=plan.id)


def _completed_plan(book: _Book, customer: Customer) -> None:
    inv = book.invoice(customer, book.day(-270), book.amount(customer) * 3)
    dues = [book.day(-200), book.day(-170), book.day(-140)]
    plan = book.plan(customer.id, [inv], book.day(-220), dues, grace=5)
    for inst in plan.instalments:
        book.pay(customer.id, inst.due_date, inst.amount, reference=plan.id)


def _broken_promise(book: _Book, customer: Customer) -> None:
    """Promised to pay an overdue invoice in full ten days ago; nothing came."""
    inv = book.invoice(customer, book.day(-80), book.amount(customer))
    book.plan(customer.id, [inv], book.day(-25), [book.day(-10)], grace=0)


def _partial_payment(book: _Book, customer: Customer) -> None:
    inv = book.invoice(customer, book.day(-50), book.amount(customer))
    book.pay(customer.id, book.day(-30), inv.amount.percent(40), inv)


def _deposit_paid(book: _Book, customer: Customer) -> None:
    """A new customer paid the 30% deposit; the final invoice is not yet due."""
    total = Money(18_000, book.currency[customer.id])
    deposit = book.invoice(
        customer,
        book.day(-40),
        _DEPOSIT_30.deposit(total),
        terms=_DEPOSIT_30,
        due=book.day(-33),
        kind=InvoiceKind.DEPOSIT,
    )
    book.pay(customer.id, book.day(-35), deposit.amount, deposit)
    book.invoice(customer, book.day(-4), total - deposit.amount, terms=_DEPOSIT_30)


def _deposit_unpaid(book: _Book, customer: Customer) -> None:
    """A new customer has not paid the deposit that was due three days ago."""
    total = Money(9_500, book.currency[customer.id])
    book.invoice(
        customer,
        book.day(-10),
        _DEPOSIT_30.deposit(total),
        terms=_DEPOSIT_30,
        due=book.day(-3),
        kind=InvoiceKind.DEPOSIT,
    )


def _second_currency(book: _Book, customer: Customer) -> None:
    """A fresh order billed in US dollars, not yet due."""
    book.invoice(customer, book.day(-8), book.amount(customer, "USD"))


def _over_credit_limit(book: _Book, customer: Customer) -> None:
    """Two fresh invoices push the exposure above the 5,000 credit limit."""
    currency = book.currency[customer.id]
    book.invoice(customer, book.day(-12), Money(3200, currency))
    book.invoice(customer, book.day(-5), Money("2950.50", currency))


def _blocked(book: _Book, customer: Customer) -> None:
    for age in (150, 125):
        book.invoice(customer, book.day(-age), book.amount(customer))


def _free_period(
    book: _Book, customer: Customer, kind: TrialKind, *, ends: int, starts: int, description: str
) -> None:
    book.trials.append(
        Trial(
            f"TRIAL-{len(book.trials) + 1:02d}",
            customer.id,
            ends=book.day(ends),
            starts=book.day(starts),
            kind=kind,
            description=description,
        )
    )


def _trial(book: _Book, customer: Customer) -> None:
    _free_period(
        book,
        customer,
        TrialKind.TRIAL,
        ends=6,
        starts=-24,
        description="30-day free trial of the Plus subscription",
    )


def _allowance(book: _Book, customer: Customer) -> None:
    _free_period(
        book,
        customer,
        TrialKind.ALLOWANCE,
        ends=58,
        starts=-125,
        description="20 free support hours in the first six months",
    )


_SCENARIOS: Final[dict[str, Callable[[_Book, Customer], None]]] = {
    "open_dispute": _open_dispute,
    "purchase_order_dispute": _purchase_order_dispute,
    "resolved_dispute": _resolved_dispute,
    "on_hold": _on_hold,
    "duplicate_payment": _duplicate_payment,
    "payment_plan": _payment_plan,
    "completed_plan": _completed_plan,
    "broken_promise": _broken_promise,
    "partial_payment": _partial_payment,
    "deposit_paid": _deposit_paid,
    "deposit_unpaid": _deposit_unpaid,
    "second_currency": _second_currency,
    "over_credit_limit": _over_credit_limit,
    "blocked": _blocked,
    "trial": _trial,
    "allowance": _allowance,
}


def sample_ledger(*, seed: int = SAMPLE_SEED, as_of: date = SAMPLE_AS_OF) -> Ledger:
    """The built-in sample portfolio.

    About 50 customers (government, business and private; NL, DE, BE, FR
    and GB; EUR, GBP and some USD) with a few hundred invoices issued over
    the ten months before ``as_of``, and payments dated no later than
    ``as_of``. Alongside ordinary on-time, late, partial and missing
    payments, fixed storylines make sure it always contains: invoices under
    "30 days end of month" terms and under 2% discount within 7 days
    (discounts taken are booked as credit notes), two open disputes and a
    resolved one corrected by a credit note, an invoice on hold, an
    overpayment leaving customer credit, a payment plan on track, a
    completed plan, a broken promise to pay, a paid and an unpaid deposit
    request, a trial ending six days after ``as_of``, a customer over their
    credit limit and a customer with a dunning block.

    The same ``seed`` and ``as_of`` always give an equal ledger; invoice
    and payment ids follow date order (``INV-2026-0001``, ``PAY-00001``).

    Args:
        seed: seed of the :class:`random.Random` that draws names, dates and
            amounts.
        as_of: the portfolio's "today"; every date is relative to it.

    Returns:
        A valid :class:`~arpolicy.model.Ledger`.

    >>> from datetime import date
    >>> ledger = sample_ledger()
    >>> sorted({c.country for c in ledger.customers})
    ['BE', 'DE', 'FR', 'GB', 'NL']
    >>> sorted(ledger.plan_state(p.id, date(2026, 11, 2)).status.value for p in ledger.plans)
    ['broken', 'completed', 'on_track']
    """
    rng = random.Random(seed)
    book = _Book(rng, as_of)
    seats = _seats(rng)
    taken: set[str] = set()
    established = [s.id for s in seats if s.profile is not Profile.PRIVATE and s.role is None]
    vips = set(rng.sample(established, 3))
    for seat in seats:
        customer = _customer(rng, seat, taken, vip=seat.id in vips)
        book.customers.append(customer)
        book.terms[seat.id] = _terms(rng, seat)
        book.methods[seat.id] = rng.choice(_METHODS[seat.profile])
        book.currency[seat.id] = seat.locale.currency
    for seat, customer in zip(seats, book.customers, strict=True):
        _history(book, customer, seat.role)
    for seat, customer in zip(seats, book.customers, strict=True):
        scenario = _SCENARIOS.get(seat.role or "")
        if scenario is not None:
            scenario(book, customer)
    return book.ledger()


# ---------------------------------------------------------------------------
# synthetic ledgers for tests and benchmarks
# ---------------------------------------------------------------------------

_SYNTHETIC_PROFILES: Final = (
    (Profile.BUSINESS,) * 6 + (Profile.PRIVATE,) * 3 + (Profile.GOVERNMENT,)
)
_SYNTHETIC_COUNTRIES: Final = tuple(
    country for country, weight in _COUNTRY_WEIGHTS.items() for _ in range(weight // 5)
)


def _synthetic_customer(rng: random.Random, n: int, width: int) -> Customer:
    profile = rng.choice(_SYNTHETIC_PROFILES)
    loc = rng.choice(_locales_of(rng.choice(_SYNTHETIC_COUNTRIES)))
    cid = f"C{n:0{width}d}"
    if profile is Profile.PRIVATE:
        name = f"{rng.choice(loc.first_names)} {rng.choice(loc.last_names)}"
    elif profile is Profile.BUSINESS:
        name = f"{rng.choice(loc.last_names)} {rng.choice(loc.sectors)} {loc.legal_forms[0]}"
    else:
        name = loc.council.format(city=rng.choice(loc.cities))
    return Customer(
        id=cid,
        name=name,
        profile=profile,
        country=loc.country,
        language=loc.language,
        timezone=loc.timezone,
        contacts=Contacts(email=f"{cid.lower()}@customers.example"),
    )


def synthetic_ledger(
    *,
    customers: int,
    invoices: int,
    payments: int | None = None,
    seed: int = 0,
    start: date = date(2025, 1, 1),
    days: int = 365,
) -> Ledger:
    """A large synthetic ledger for tests and benchmarks.

    Customers get a mix of profiles and countries (GB customers invoice in
    GBP, the others in EUR). Invoices go to random customers, issued on
    random days of ``days`` days from ``start``, under net 14 (private) or
    net 30 terms. Payments name an invoice each: the invoices are shuffled
    and the first ``payments`` of them are paid, most in full and about one
    in eight partly, on a date up to 30 days after the due date (possibly
    after the window). Payments beyond the number of invoices are
    unnamed payments on account of random customers. By default
    ``payments`` is 90% of ``invoices``, so about 10% stay open.

    Args:
        customers: number of customers (at least 1).
        invoices: number of invoices (at least 0).
        payments: number of payments; ``None`` for 90% of ``invoices``.
        seed: seed of the :class:`random.Random`; the same arguments always
            give an equal ledger.
        start: first possible issue date.
        days: length of the issue window in days (at least 1).

    Returns:
        A valid :class:`~arpolicy.model.Ledger`.

    Raises:
        ValueError: a count is negative, ``customers`` or ``days`` is below 1.

    >>> ledger = synthetic_ledger(customers=10, invoices=100, seed=1)
    >>> len(ledger.customers), len(ledger.invoices), len(ledger.payments)
    (10, 100, 90)
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers!r}")
    if invoices < 0:
        raise ValueError(f"invoices must not be negative, got {invoices!r}")
    if payments is not None and payments < 0:
        raise ValueError(f"payments must not be negative, got {payments!r}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days!r}")
    rng = random.Random(seed)
    width = max(4, len(str(customers)))
    people = [_synthetic_customer(rng, n, width) for n in range(1, customers + 1)]
    currency = ["GBP" if c.country == "GB" else "EUR" for c in people]
    net = [14 if c.profile is Profile.PRIVATE else 30 for c in people]
    terms = {14: _NET_14, 30: _NET_30}
    first = start.toordinal()
    fromordinal = date.fromordinal
    # random() is several times faster than randrange(); int(random() * n) is
    # a uniform choice below n for every n used here.
    random_ = rng.random

    inv_width = max(6, len(str(invoices)))
    bills: list[Invoice] = []
    cents: list[int] = []
    for n in range(invoices):
        who = int(random_() * customers)
        issued = first + int(random_() * days)
        if random_() < 0.8:
            amount = 2_000 + int(random_() * 498_000)
        else:
            amount = 500_000 + int(random_() * 4_500_000)
        cents.append(amount)
        bills.append(
            Invoice(
                f"I{n:0{inv_width}d}",
                people[who].id,
                fromordinal(issued),
                fromordinal(issued + net[who]),
                Money._trusted(Decimal(amount).scaleb(-2), currency[who]),
                terms=terms[net[who]],
            )
        )

    count = invoices * 9 // 10 if payments is None else payments
    pay_width = max(6, len(str(count)))
    order = list(range(invoices))
    rng.shuffle(order)
    received: list[Payment] = []
    for n in range(count):
        if n < invoices:
            target = bills[order[n]]
            amount = cents[order[n]]
            if random_() < 0.125:
                amount = max(1, amount * (20 + int(random_() * 61)) // 100)
            on = target.due_date.toordinal() - 10 + int(random_() * 41)
            on = max(on, target.issue_date.toordinal())
            who_id, cur, inv_id = target.customer_id, target.amount.currency, target.id
        else:
            who = int(random_() * customers)
            amount = 1_000 + int(random_() * 99_000)
            on = first + int(random_() * days)
            who_id, cur, inv_id = people[who].id, currency[who], None
        received.append(
            Payment(
                f"P{n:0{pay_width}d}",
                who_id,
                fromordinal(on),
                Money._trusted(Decimal(amount).scaleb(-2), cur),
                invoice_id=inv_id,
            )
        )
    return Ledger(people, bills, received)


def small_ledger() -> Ledger:
    """Two customers and five invoices: small enough to check every report on paper.

    The report guides use it. All dates are in 2024 (a leap year):

    | id | customer | issued | due | amount | what happens |
    |----|----------|--------|-----|--------|--------------|
    | I1 | C1 | 01-01 | 01-31 | EUR 100.00 | P1 pays it in full on 01-31 |
    | I2 | C1 | 01-15 | 02-14 | EUR 200.00 | CN1 writes 20 off on 02-20; P2 pays 180 on 03-20 |
    | I3 | C2 | 02-01 | 03-02 | EUR 300.00 | disputed from 03-10 ("quality"), unpaid |
    | I4 | C2 | 01-10 | 02-09 | USD 50.00 | P3 pays 50 on 02-19 without naming it |

    C1 "Acme BV" is a business and C2 "Jan Jansen" a private customer, both
    in the Netherlands. CN1 is a credit note for I2 marked
    ``write_off = "yes"``.

    >>> ledger = small_ledger()
    >>> " ".join(i.id for i in ledger.invoices)
    'I1 I2 I3 I4 CN1'
    """
    return Ledger(
        [
            Customer("C1", "Acme BV", "business", "NL"),
            Customer("C2", "Jan Jansen", "private", "NL"),
        ],
        [
            Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), Money(100, "EUR")),
            Invoice("I2", "C1", date(2024, 1, 15), date(2024, 2, 14), Money(200, "EUR")),
            Invoice(
                "I3",
                "C2",
                date(2024, 2, 1),
                date(2024, 3, 2),
                Money(300, "EUR"),
                dispute=Dispute(date(2024, 3, 10), "quality"),
            ),
            Invoice("I4", "C2", date(2024, 1, 10), date(2024, 2, 9), Money(50, "USD")),
            Invoice(
                "CN1",
                "C1",
                date(2024, 2, 20),
                date(2024, 2, 20),
                Money(20, "EUR"),
                kind="credit_note",
                applies_to="I2",
                metadata={"write_off": "yes"},
            ),
        ],
        [
            Payment("P1", "C1", date(2024, 1, 31), Money(100, "EUR"), invoice_id="I1"),
            Payment("P2", "C1", date(2024, 3, 20), Money(180, "EUR"), invoice_id="I2"),
            Payment("P3", "C2", date(2024, 2, 19), Money(50, "USD")),
        ],
    )
