"""`skf check --format html`, loaded in a real headless Chromium (Debian's `chromium`).

The assertions read the DOM the browser produced (`--dump-dom`), not the file skf wrote: the
grid's rows and columns, a red cell whose link lands on an existing anchor holding the
finding's message, code excerpt and fix. A screenshot is saved in the test's temp dir.
Under CI=true a missing browser fails the test; locally it skips with the reason.
"""

import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ci_requirements import unavailable
from typer.testing import CliRunner

from skf.cli import app

SERVICE = "src/services/email_sender_scheduler.py"
VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found

    def by_id(self, wanted: str) -> "Node | None":
        if self.attrs.get("id") == wanted:
            return self
        for child in self.children:
            if isinstance(child, Node) and (hit := child.by_id(wanted)) is not None:
                return hit
        return None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(dom: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(dom)
    return builder.root


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        unavailable("chromium is not installed (.ci/run installs Debian's chromium package)")
    return found


def browse(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def cells(row: Node) -> list[Node]:
    return [c for c in row.children if isinstance(c, Node) and c.tag in {"th", "td"}]


def test_html_report_in_headless_chromium(host: Path, tmp_path: Path) -> None:
    text = (host / SERVICE).read_text()
    (host / SERVICE).write_text(
        text.replace(".with_for_update(skip_locked=True)", ".with_for_update()")
    )
    claim_line = text[: text.index(".with_for_update(skip_locked=True)")].count("\n") + 1
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["check", str(host), "--format", "html", "--output", str(page)]
    )
    assert result.exit_code == 1, result.output
    written = page.read_text()
    # Self-contained: nothing is fetched from anywhere.
    for reference in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert reference not in written, reference

    dom = parse(browse(page, tmp_path, "--dump-dom").stdout)
    title = dom.find_all("title")[0].text()
    assert title == "skf compliance report"
    checklist, hazards = dom.find_all("table")
    assert checklist.find_all("caption")[0].text() == "Services by checklist item"
    header = [c.text() for c in cells(checklist.find_all("tr")[0])]
    assert header[0] == "Service"
    assert [h[0] for h in header[1:]] == [str(n) for n in range(1, 9)]
    assert all(c.attrs.get("scope") == "col" for c in cells(checklist.find_all("tr")[0]))
    rows = {cells(tr)[0].text(): cells(tr) for tr in checklist.find_all("tbody")[0].find_all("tr")}
    assert set(rows) == {"email_sender", "sitemap_scanner"}
    assert all(c.text() == "✓ pass" for c in rows["sitemap_scanner"][1:])
    email = rows["email_sender"]
    assert email[0].tag == "th"
    assert email[0].attrs["scope"] == "row"
    red = email[2]  # item 2
    assert red.attrs["class"] == "fail"
    assert red.text() == "✗ 1 finding"
    assert [c.attrs["class"] for i, c in enumerate(email[1:], start=1) if i != 2] == ["pass"] * 7
    (link,) = red.find_all("a")
    target = dom.by_id(link.attrs["href"].removeprefix("#"))
    assert target is not None, link.attrs["href"]
    details = target.text()
    assert "email_sender — item 2: Query target table for correct ENUM/status value" in details
    assert "the claim of email_sender locks its rows without `skip_locked=True`" in details
    assert f"{SERVICE}:{claim_line}" in details
    (excerpt,) = target.find_all("pre")
    hit = [s for s in excerpt.find_all("span") if s.attrs.get("class") == "hit"]
    assert [s.attrs["data-line"] for s in hit] == [str(claim_line)]
    assert hit[0].text().strip() == ".with_for_update()"
    assert "Fix (safe): Adds `skip_locked=True`" in details
    assert "skf rules explain SKF102" in details
    hazard_header = [c.text() for c in cells(hazards.find_all("tr")[0])]
    assert any(h.startswith("SKF201") for h in hazard_header)
    totals = dom.find_all("ul")[0].text()
    assert "2services" in totals.replace(" ", "")
    assert "1findings" in totals.replace(" ", "")

    screenshot = tmp_path / "report.png"
    browse(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1280,1600")
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600)
    assert len(data) > 20_000  # a rendered page, not a blank canvas


def test_html_report_of_a_clean_project_is_all_pass(host: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(host), "--format", "html"])
    assert result.exit_code == 0
    page = parse(result.stdout)
    assert "All checks passed." in page.by_id("verdict").text()  # type: ignore[union-attr]
    tds = page.find_all("td")
    assert tds
    assert all(td.attrs["class"] == "pass" for td in tds)
    assert "No findings." in result.stdout


def test_html_escapes_code_and_messages(host: Path) -> None:
    text = (host / SERVICE).read_text()
    (host / SERVICE).write_text(
        text.replace(
            ".with_for_update(skip_locked=True)",
            '.with_for_update()  # <script>alert("x")</script> & more',
        )
    )
    result = CliRunner().invoke(app, ["check", str(host), "--format", "html"])
    assert result.exit_code == 1
    assert "<script>" not in result.stdout
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in result.stdout
