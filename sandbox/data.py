"""Deterministic fake data: names (with unicode), emails, texts and timestamps."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

FIRST = ["Ana", "Björn", "Chloé", "Dmitri", "Eun-ji", "Fatima", "Grzegorz", "Hana", "Ítalo",
         "Jürgen", "Kofi", "Łucja", "Mateo", "Nguyễn", "Oluwaseun", "Priya", "Quentin", "Rūta",
         "Søren", "Tomás", "Ulla", "Việt", "Wiktoria", "Xavier", "Yūki", "Zoë"]
LAST = ["Andersson", "Białek", "Castro", "Dubois", "Eriksen", "Fernández", "García", "Hoàng",
        "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Pérez",
        "Quispe", "Rossi", "Šimić", "Tanaka", "Umarov", "Vasquez", "Weiß", "Yılmaz", "Zhang"]
WORDS = ["algebra", "biology", "chemistry", "drama", "économie", "физика", "geography", "history",
         "informatics", "journalism", "kanji 漢字", "literature", "music", "nutrition", "optics",
         "philosophy", "quantum", "rhetoric", "statistics", "théâtre", "urban design", "vectors",
         "writing", "xylophone", "yoga", "zoology"]
EPOCH = datetime(2023, 9, 1, tzinfo=timezone.utc)


def rng(seed: int, *salt: object) -> random.Random:
    """A random generator seeded by ``seed`` and a salt, so each collection is independent."""
    return random.Random(f"{seed}:" + ":".join(map(str, salt)))


def person(r: random.Random) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def email(first: str, last: str, n: int, domain: str = "example.edu") -> str:
    text = f"{first}.{last}".lower()
    clean = "".join(c for c in text if c.isascii() and (c.isalnum() or c == "."))
    return f"{clean}{n}@{domain}"


def sentence(r: random.Random, words: int = 6) -> str:
    return " ".join(r.choice(WORDS) for _ in range(words)).capitalize() + "."


def moment(r: random.Random, days: int = 400) -> datetime:
    return EPOCH + timedelta(seconds=r.randrange(days * 86400))


def iso(value: datetime, millis: bool = True) -> str:
    """RFC 3339 in UTC with ``Z``; with milliseconds unless they are zero and ``millis`` is off."""
    text = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


def now() -> datetime:
    return datetime.now(timezone.utc)
