"""Demo attachments (issue 20): a photo and a document on a Canterbury public priority, the photo published
by the web editor with the priority's latest approved public update. Both are made here (the photo drawn
with Pillow, the document as text), so the repository holds no binary files. Through the services, as users
would. Idempotent: nothing is added when the demo already has attachments.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.db import transaction
from PIL import Image, ImageDraw

from jps import models as m
from jps.attachments import services as attachments

ALT = "A cleared alleyway behind a row of shops, swept, with a new light on the wall"
NOTES = (
    "Site visit notes\n"
    "Alley behind the parade, 10am.\n"
    "Rubbish cleared by the council's street team. New lighting fitted on the rear wall.\n"
    "Gate to be fitted by the landlord within four weeks.\n"
)


def demo_photo() -> bytes:
    """A simple drawn scene (an alley with a light), as a phone's JPEG would arrive."""
    image = Image.new("RGB", (800, 600), (180, 200, 220))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 600), (300, 250), (500, 250), (800, 600)], fill=(120, 120, 120))  # the alley floor
    draw.rectangle([0, 0, 250, 450], fill=(150, 90, 70))  # walls
    draw.rectangle([550, 0, 800, 450], fill=(140, 85, 65))
    draw.ellipse([600, 100, 640, 140], fill=(255, 240, 150))  # the new light
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


@transaction.atomic
def load_demo_attachments(*, log: Callable[[str], None] = print) -> None:
    officer = m.User.objects.filter(username="officer").first()
    editor = m.User.objects.filter(username="webeditor").first()
    if officer is None or editor is None or m.Attachment.objects.exists():
        return
    approved = m.ProgressUpdate.objects.filter(
        status=m.ProgressUpdate.Status.APPROVED,
        problem__district__name="Canterbury",
        problem__public_priority=True,
        problem__stage__in=m.OPEN_STAGES,
    ).select_related("problem")
    update = next(
        (u for u in approved.order_by("-decided_at") if officer.has_perm("jps.work_problem", u.problem)), None
    )
    if update is None:
        return
    problem = update.problem
    photo_bytes = demo_photo()
    photo = attachments.attachment_add(problem=problem, by=officer, upload=io.BytesIO(photo_bytes),
                                       filename="IMG_2041.jpg", size=len(photo_bytes),
                                       description="Photo from the site visit")  # fmt: skip
    attachments.attachment_add(problem=problem, by=officer, upload=io.BytesIO(NOTES.encode()),
                               filename="site-visit-notes.txt", size=len(NOTES.encode()),
                               description="Notes of the site visit with the council")  # fmt: skip
    attachments.attachment_publish(attachment=photo, update=update, by=editor, alt_text=ALT)
    log(f"Demo attachments: a photo and a document on {problem.reference}, the photo published.")
