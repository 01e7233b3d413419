"""The default victim risk questionnaire: the national default every force uses until it keeps its own.

Modelled on the national ASB victim risk assessment of the Home Office and ACPO "focus on the
victim" pilot: yes/no questions an officer or call handler asks the victim at first contact, on
who they are (targeted because of it), what has happened (repeat incidents, threats, damage), how
it affects them (fear, health, sleep, everyday life, thinking of moving) and who is around them
(children, others vulnerable, isolation). Each "yes" adds the question's weight (1 to 3); the score
is medium risk from ``MEDIUM_THRESHOLD`` and high from ``HIGH_THRESHOLD``.

Migration 0022 created version 1 of the national default from a frozen copy of this list; a test
keeps the two equal. A later change to the default ships as a new version in a migration of its own.
"""

from __future__ import annotations

NAME = "ASB victim risk assessment"
MEDIUM_THRESHOLD = 6
HIGH_THRESHOLD = 12

#: (key, question as asked of the victim, weight)
QUESTIONS: list[tuple[str, str, int]] = [
    (
        "targeted",
        "Do you feel you are being targeted because of who you are, such as your race, religion, disability, "
        "sexual orientation or gender identity?",
        3,
    ),
    ("repeat", "Has this, or something like it, happened to you more than once in the last 12 months?", 2),
    ("threatened", "Have you been threatened with violence, or has anyone been violent towards you?", 3),
    ("afraid_at_home", "Are you afraid to leave your home, or to be in it, because of what is happening?", 2),
    ("health", "Is it affecting your physical or mental health?", 2),
    ("sleep", "Is it affecting your sleep?", 1),
    (
        "vulnerable",
        "Do you have a disability, a long-term illness or a mental health condition that makes this harder to cope "
        "with?",
        3,
    ),
    ("children", "Are there children in your household who are affected?", 2),
    ("others_vulnerable", "Do you care for someone, or does anyone else at home have a disability or illness?", 1),
    ("not_acted_on", "Have you reported this before and felt that nothing was done?", 1),
    ("moving", "Are you thinking of moving home because of it?", 1),
    ("isolated", "Do you feel isolated, with no family, friends or neighbours to support you?", 2),
    ("reprisals", "Are you worried about what will happen to you if you report it or give evidence?", 2),
    ("property", "Has your home, car or other property been damaged?", 1),
    ("daily_life", "Is it stopping you doing everyday things, such as work, school, shopping or seeing people?", 1),
]
