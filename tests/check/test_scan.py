"""The text prefilter: which files are parsed up front. A file it misses is a service the
checker never sees; a file it wrongly marks only costs a parse."""

import pytest

from skf.project.scan import is_marked

CASES = [
    ("registration", b"scheduler.add_job(run, 'interval')", True),
    ("registration", b"scheduler.add_job\n(run)", True),
    ("registration", b"def readd_job(): ...", False),
    ("registration", b"add_jobs = []", False),
    ("setup_reference", b"setup_email_sender_scheduler()", True),
    ("setup_reference", b"from x import setup__scheduler", True),
    ("setup_reference", b"resetup_x_scheduler()", False),
    ("setup_reference", b"email_scheduler = 1", False),
    ("route", b"router = APIRouter()", True),
    ("route", b"app = FastAPI()", True),
    ("route", b"@router.post('/run')\nasync def run(): ...", True),
    ("route", b"@ app . get ('/')", False),  # not how FastAPI routes are written
    ("route", b"@app.api_route('/x', methods=['GET'])", True),
    ("route", b"@property\ndef get(self): ...", False),
    ("route", b"class MyFastAPIClient: ...", False),
]


@pytest.mark.parametrize(("marker", "text", "marked"), CASES)
def test_a_file_is_marked_when_its_text_holds_the_marker(
    marker: str, text: bytes, marked: bool
) -> None:
    assert is_marked(text, marker) is marked
