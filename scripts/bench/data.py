"""Deterministic, realistic rows for the benchmark data set, as COPY text lines.

Everything comes from one `random.Random(seed)`: the same seed and sizes give the same
rows. Distributions are skewed the way real customer bases are: a few accounts hold most
contacts, a few names and cities are common, a few contacts have long timelines, and
interactions grow towards the present over five years.
"""
from __future__ import annotations

import random
from bisect import bisect
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Iterator, Sequence

__all__ = ["Generator", "FIRST_NAMES", "LAST_NAMES", "CITIES", "CHANNEL_WEIGHTS", "END"]

#: The data set ends here (fixed, so the same seed gives the same rows on any day).
END = datetime(2026, 1, 1, tzinfo=timezone.utc)
YEARS = 5
FIRST_NAMES = (
    "Marie Jean Pierre Anne Michel Claire Louis Sophie Paul Julie Thomas Emma Nicolas Léa Julien Chloé David Laura "
    "Antoine Camille Maxime Sarah Alexandre Manon Lucas Inès Hugo Jade Arthur Louise Gabriel Alice Raphaël Lina "
    "Mohamed Fatima Ahmed Yasmine Karim Nadia Ali Leila Omar Amina John Mary James Patricia Robert Jennifer Michael "
    "Linda William Elizabeth Richard Barbara Joseph Susan Charles Jessica Daniel Karen Matthew Nancy Anthony Lisa "
    "Mark Betty Steven Sandra Andrew Ashley Joshua Emily Kevin Donna Brian Michelle George Carol Edward Amanda Ronald "
    "Melissa Timothy Deborah Jason Stephanie Jeffrey Rebecca Ryan Sharon Jacob Cynthia Hans Anna Klaus Ursula Jürgen "
    "Monika Stefan Petra Andreas Sabine Giulia Marco Francesca Luca Chiara Matteo Sofia Alessandro Elena Carlos "
    "Carmen Javier Lucía Miguel Isabel Pedro Ana Diego Paula Wei Mei Hiroshi Yuki Kenji Aiko Raj Priya Arjun Ananya"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet François "
    "Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clement Gauthier "
    "Dumont Lopez Fontaine Chevalier Robin Smith Johnson Williams Brown Jones Miller Davis Rodriguez Wilson Anderson "
    "Taylor Moore Jackson White Harris Thompson Lewis Walker Hall Allen Young King Wright Scott Green Baker Adams "
    "Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Flores "
    "Morris Nguyen Murphy Rivera Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Gomez Kelly Howard Ward Cox "
    "Diaz Richardson Wood Watson Brooks Bennett Gray James Reyes Cruz Hughes Price Myers Long Foster Sanders Ross "
    "Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Rossi Russo Ferrari Esposito Bianchi "
    "Romano Colombo Ricci Marino Greco Fernandez Gonzalez Sanchez Perez Ramirez Ruiz Alvarez Moreno Jimenez Romero "
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Sato Suzuki Takahashi Tanaka Watanabe Patel Sharma Singh Kumar "
    "Gupta Khan Ahmed Hassan Ali Ibrahim Kowalski Nowak Wiśniewski Novak Horvat Jansen Janssens Peeters Andersson "
    "Johansson Karlsson Nielsen Hansen Pedersen Olsen Larsen Virtanen Korhonen Papadopoulos Silva Santos Oliveira"
).split()
#: (city, region, country, postcode prefix), most populous first: chosen with Zipf weights.
CITIES = (
    ("Paris", "Île-de-France", "FR", "75"), ("London", "England", "GB", "EC"), ("Berlin", "Berlin", "DE", "10"),
    ("Madrid", "Madrid", "ES", "28"), ("New York", "NY", "US", "10"), ("Lyon", "Auvergne-Rhône-Alpes", "FR", "69"),
    ("Marseille", "Provence", "FR", "13"), ("Munich", "Bavaria", "DE", "80"), ("Milan", "Lombardy", "IT", "20"),
    ("Barcelona", "Catalonia", "ES", "08"), ("Toulouse", "Occitanie", "FR", "31"), ("Hamburg", "Hamburg", "DE", "20"),
    ("Rome", "Lazio", "IT", "00"), ("Amsterdam", "North Holland", "NL", "10"), ("Brussels", "Brussels", "BE", "10"),
    ("Chicago", "IL", "US", "60"), ("Nice", "Provence", "FR", "06"), ("Nantes", "Pays de la Loire", "FR", "44"),
    ("Strasbourg", "Grand Est", "FR", "67"), ("Bordeaux", "Nouvelle-Aquitaine", "FR", "33"),
    ("Lille", "Hauts-de-France", "FR", "59"), ("Manchester", "England", "GB", "M1"),
    ("Frankfurt", "Hesse", "DE", "60"), ("Vienna", "Vienna", "AT", "10"), ("Zurich", "Zurich", "CH", "80"),
    ("Geneva", "Geneva", "CH", "12"), ("Lisbon", "Lisbon", "PT", "11"), ("Dublin", "Leinster", "IE", "D0"),
    ("Boston", "MA", "US", "02"), ("Montreal", "Quebec", "CA", "H2"), ("Rennes", "Brittany", "FR", "35"),
    ("Grenoble", "Auvergne-Rhône-Alpes", "FR", "38"), ("Dijon", "Burgundy", "FR", "21"),
    ("Antwerp", "Flanders", "BE", "20"), ("Rotterdam", "South Holland", "NL", "30"), ("Turin", "Piedmont", "IT", "10"),
    ("Seville", "Andalusia", "ES", "41"), ("Cologne", "North Rhine-Westphalia", "DE", "50"),
    ("Stockholm", "Stockholm", "SE", "11"), ("Copenhagen", "Capital", "DK", "10"), ("Oslo", "Oslo", "NO", "01"),
    ("Helsinki", "Uusimaa", "FI", "00"), ("Warsaw", "Masovia", "PL", "00"), ("Prague", "Prague", "CZ", "11"),
    ("Athens", "Attica", "GR", "10"), ("Porto", "Norte", "PT", "40"), ("Valencia", "Valencia", "ES", "46"),
    ("Naples", "Campania", "IT", "80"), ("Leeds", "England", "GB", "LS"), ("Edinburgh", "Scotland", "GB", "EH"),
)
#: Interaction channels and how often each occurs.
CHANNEL_WEIGHTS = (("email", 40), ("phone", 15), ("web", 12), ("note", 10), ("chat", 8), ("meeting", 8),
                   ("social", 5), ("sms", 2))
DOMAINS = ("gmail.com", "yahoo.fr", "outlook.com", "orange.fr", "gmx.de", "icloud.com", "proton.me", "free.fr")
COMPANY_WORDS = ("Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Soylent Cyberdyne Tyrell Wonka Aperture "
                 "Massive Dynamic Oscorp Pied Piper Gringotts Nakatomi Monarch Virtucon Duff Zorg Blue Sun Aurora "
                 "Nordic Alpine Coastal Summit Harbor Pioneer Atlas Vertex Quantum Orbit Delta Sigma Omega").split()
COMPANY_SUFFIXES = ("SA", "SAS", "GmbH", "Ltd", "Inc", "BV", "SpA", "AG", "LLC", "& Co")
INDUSTRIES = ("technology", "retail", "manufacturing", "finance", "healthcare", "education", "media", "nonprofit",
              "government", "hospitality", "other")
SUBJECTS = {"email": ("Re: quote", "Newsletter reply", "Invoice question", "Order confirmation", "Meeting follow-up"),
            "phone": ("Call: support", "Call: renewal", "Call: first contact", "Voicemail"),
            "web": ("Visited pricing", "Downloaded white paper", "Web form"), "note": ("Note", "Internal note"),
            "chat": ("Chat: delivery", "Chat: product question"), "meeting": ("Demo", "Quarterly review", "Lunch"),
            "social": ("Mentioned us", "Direct message"), "sms": ("SMS reminder",)}


def _zipf_cumulative(count: int, exponent: float) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


class Generator:
    """Rows of every benchmark table for one seed; users are ids 2.. (1 is admin)."""

    def __init__(self, seed: int, *, accounts: int, contacts: int, owners: Sequence[int]) -> None:
        self.rng = random.Random(seed)
        self.accounts, self.contacts, self.owners = accounts, contacts, list(owners)
        self._first = _zipf_cumulative(len(FIRST_NAMES), 0.9)
        self._last = _zipf_cumulative(len(LAST_NAMES), 0.9)
        self._cities = _zipf_cumulative(len(CITIES), 0.8)
        self._channels = list(accumulate(weight for _name, weight in CHANNEL_WEIGHTS))
        self.start = END - timedelta(days=365 * YEARS)

    def _pick(self, items: Sequence[object], cumulative: list[float]) -> object:
        return items[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _moment(self) -> datetime:
        # sqrt of a uniform draw leans towards the present: the business grew over five years.
        return self.start + timedelta(seconds=int((self.rng.random() ** 0.5) * YEARS * 365 * 86400))

    def skewed_account(self) -> int:
        """An account id where a few large accounts hold many contacts (a power law)."""
        return 1 + int(self.accounts * self.rng.random() ** 3)

    def account_rows(self) -> Iterator[str]:
        """accounts: id, name, industry, city, region, country, postcode, email, owner_id, created_at."""
        for account_id in range(1, self.accounts + 1):
            city, region, country, prefix = self._pick(CITIES, self._cities)  # type: ignore[misc]
            words = (self.rng.choice(COMPANY_WORDS), self.rng.choice(COMPANY_WORDS), self.rng.choice(COMPANY_SUFFIXES))
            name = " ".join(words)
            created = _ts(self._moment())
            yield "\t".join((str(account_id), f"{name} #{account_id}", self.rng.choice(INDUSTRIES), city, region,
                             country, f"{prefix}{self.rng.randrange(1000):03d}", f"info{account_id}@example.com",
                             str(self.rng.choice(self.owners)), created, created, "1"))

    def contact_rows(self, account_of: list[int]) -> Iterator[str]:
        """contacts: id, first/last name, email, phone, title, account_id, city/region/country/postcode,
        owner_id, consent_email/phone/sms, created_at, updated_at, version. Appends each contact's
        account (0 for none) to `account_of`, indexed by contact id."""
        account_of.append(0)
        for contact_id in range(1, self.contacts + 1):
            first = self._pick(FIRST_NAMES, self._first)
            last = self._pick(LAST_NAMES, self._last)
            city, region, country, prefix = self._pick(CITIES, self._cities)  # type: ignore[misc]
            account_id = self.skewed_account() if self.accounts and self.rng.random() < 0.9 else 0
            account_of.append(account_id)
            account = str(account_id) if account_id else "\\N"
            email = f"{first}.{last}.{contact_id}@{self.rng.choice(DOMAINS)}".lower()
            created = _ts(self._moment())
            yield "\t".join((str(contact_id), str(first), str(last), email, f"+33 1 {contact_id % 100000000:08d}",
                             self.rng.choice(("CEO", "CTO", "Buyer", "Manager", "Engineer", "Assistant", "\\N")),
                             account, city, region, country, f"{prefix}{self.rng.randrange(1000):03d}",
                             str(self.rng.choice(self.owners)), "t" if self.rng.random() < 0.6 else "f",
                             "f", "f", created, created, "1"))

    def contact_for_interaction(self) -> int:
        """A contact id where a few contacts have long timelines (a power law)."""
        return 1 + int(self.contacts * self.rng.random() ** 2)

    def interaction_rows(self, count: int, account_of: Sequence[int]) -> Iterator[str]:
        """interactions: id, channel, direction, subject, occurred_at, contact_id, account_id, user_id,
        created_at, updated_at, version; `account_of[contact_id]` files each on the contact's account."""
        names = [name for name, _weight in CHANNEL_WEIGHTS]
        for interaction_id in range(1, count + 1):
            channel = names[bisect(self._channels, self.rng.random() * self._channels[-1])]
            contact = self.contact_for_interaction()
            account = account_of[contact]
            moment = _ts(self._moment())
            yield "\t".join((str(interaction_id), channel, self.rng.choice(("inbound", "outbound", "internal")),
                             self.rng.choice(SUBJECTS[channel]), moment, str(contact),
                             str(account) if account else "\\N", str(self.rng.choice(self.owners)),
                             moment, moment, "1"))

    def lead_rows(self, count: int, teams: Sequence[int]) -> Iterator[str]:
        """leads: id, title, first/last name, email, company, city, country, source, status, owner_id,
        team_id, expected_amount, score, created_at, updated_at, version."""
        statuses = ("new", "new", "assigned", "assigned", "contacted", "qualified", "disqualified")
        sources = ("website", "email", "referral", "event", "advertising", "partner", "other")
        for lead_id in range(1, count + 1):
            first = self._pick(FIRST_NAMES, self._first)
            last = self._pick(LAST_NAMES, self._last)
            city, _region, country, _prefix = self._pick(CITIES, self._cities)  # type: ignore[misc]
            company = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_SUFFIXES)}"
            created = _ts(self._moment())
            yield "\t".join((str(lead_id), f"{company}: {first} {last}", str(first), str(last),
                             f"lead{lead_id}@{self.rng.choice(DOMAINS)}", company, city, country,
                             self.rng.choice(sources), self.rng.choice(statuses), str(self.rng.choice(self.owners)),
                             str(self.rng.choice(teams)), f"{self.rng.lognormvariate(8, 1.2):.2f}",
                             str(self.rng.randrange(100)), created, created, "1"))

    def opportunity_rows(self, count: int, stages: Sequence[tuple[int, float, bool, bool]],
                         teams: Sequence[int]) -> Iterator[str]:
        """opportunities: id, name, account_id, amount, stage_id, probability, close_date, owner_id,
        team_id, status, amount_company, weighted_amount, created_at, updated_at, version.
        `stages` are (id, probability, is_won, is_lost); most deals sit in the early stages."""
        weights = _zipf_cumulative(len(stages), 0.7)
        for opportunity_id in range(1, count + 1):
            stage_id, probability, won, lost = self._pick(stages, weights)  # type: ignore[misc]
            amount = round(self.rng.lognormvariate(9, 1.1), 2)
            created = self._moment()
            close = (created + timedelta(days=self.rng.randrange(10, 200))).date().isoformat()
            status = "won" if won else "lost" if lost else "open"
            yield "\t".join((str(opportunity_id), f"Deal {opportunity_id}", str(self.skewed_account()),
                             f"{amount:.2f}", str(stage_id), f"{probability:.2f}", close,
                             str(self.rng.choice(self.owners)), str(self.rng.choice(teams)), status,
                             f"{amount:.2f}", f"{amount * probability / 100:.2f}", _ts(created), _ts(created), "1"))
