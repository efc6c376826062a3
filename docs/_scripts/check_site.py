"""Check a built documentation site: the API reference is complete, and pages really render.

    python docs/_scripts/check_site.py SITE_DIR [--screenshots DIR] [--self-test-only]

1. **Completeness** (reads the HTML, no browser). The expected lists come from botocore's service
   model copy in ``codegen/model/service-2.json``, not from the SDK, so a page the generator forgot
   is noticed: every operation's client method (``botocore.xform_name``) has an anchor on its
   operation page, every operation that takes ``NextToken`` has its ``paginate_`` method, and every
   structure (error shapes aside) and enum has an anchor ``customer_profiles_sdk.models.<Name>``;
   the errors, pagination, rules and logging modules, and the emulator's modules once they exist,
   have theirs.
2. **Rendering** (headless Chromium through chromedriver, W3C WebDriver over 127.0.0.1 with the
   standard library's urllib). The site is served by an ``http.server`` on 127.0.0.1 that this
   script starts and stops. For the home page and the ``search_profiles`` reference page it
   checks the title and the text of elements the page must show, takes a screenshot, decodes the
   PNG (zlib, no imaging library) and requires many distinct colours, a real share of pixels
   that differ from the background, and a header band that is not the background colour (the
   stylesheet was applied), and that the page loaded nothing from anywhere but the local server
   (Chromium also resolves no host name but 127.0.0.1). On the home page it also clicks the
   light/dark toggle and requires the dark scheme and a dark background, and it searches for
   ``paginate_search_profiles`` and requires results that name it (the search index loads).
3. **Self-test.** The same rendering checks run on a blank page, and must fail there; if they
   pass, this script fails. So every run shows that the check can fail.

Exit status 0 when everything holds, 1 otherwise. Nothing leaves the machine: Chromium runs with
background networking, component updates, sync and QUIC off, in a fresh empty profile.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODEL = ROOT / "codegen" / "model" / "service-2.json"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
    # Belt and braces: no host name resolves except the loopback address, so nothing a page
    # refers to can reach the network.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
SITE_NAME = "customer_profiles_sdk"
CLIENT = "customer_profiles_sdk.client.CustomerProfilesClient"

# Thresholds for "not empty". A rendered page of this site has hundreds of colours (anti-aliased
# text, the header, code highlighting) and 5-30% non-background pixels; a blank page has 1 and 0%.
MIN_COLOURS = 64
MIN_FOREGROUND = 0.02


# -- 1. completeness ------------------------------------------------------------------------------


def check_completeness(site: Path) -> list[str]:
    from botocore import xform_name

    model = json.loads(SERVICE_MODEL.read_text(encoding="utf-8"))
    shapes = model["shapes"]
    reference = site / "reference"
    anchors: set[str] = set()
    for page in reference.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        start = 0
        while (start := text.find('id="customer_profiles_sdk.', start)) != -1:
            end = text.index('"', start + 4)
            anchors.add(text[start + 4 : end])
            start = end
    failures = []
    operations = sorted(model["operations"])
    paginated = 0
    for name in operations:
        method = xform_name(name)
        page = reference / "operations" / method / "index.html"
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        if f'id="{CLIENT}.{method}"' not in text:
            failures.append(f"operation {name}: no {method} on {page.relative_to(site)}")
        input_shape = model["operations"][name].get("input", {}).get("shape")
        if input_shape and "NextToken" in shapes[input_shape].get("members", {}):
            paginated += 1
            if f'id="{CLIENT}.paginate_{method}"' not in text:
                failures.append(f"operation {name}: no paginate_{method} on {page.relative_to(site)}")
    structures = [n for n, s in shapes.items() if s["type"] == "structure" and not s.get("exception")]
    enums = [n for n, s in shapes.items() if "enum" in s]
    for name in structures + enums:
        if f"customer_profiles_sdk.models.{name}" not in anchors:
            failures.append(f"model {name}: no anchor customer_profiles_sdk.models.{name} under reference/")
    modules = ["errors", "pagination", "rules", "logging"]
    # The emulator's modules get reference pages as soon as they are in the tree.
    if (ROOT / "customer_profiles_sdk" / "local" / "__init__.py").exists():
        modules += ["local", "local.Emulator"]
    if (ROOT / "customer_profiles_sdk" / "testing.py").exists():
        modules += ["testing", "testing.customer_profiles_emulator", "testing.customer_profiles_client"]
    for module in modules:
        if f"customer_profiles_sdk.{module}" not in anchors:
            failures.append(f"customer_profiles_sdk.{module}: no reference anchor")
    print(
        f"completeness: {len(operations)} operations, {paginated} paginators, {len(structures)} structures, "
        f"{len(enums)} enums expected; {len(failures)} missing"
    )
    return failures


# -- PNG decoding ---------------------------------------------------------------------------------


@dataclass
class Image:
    width: int
    height: int
    pixels: list[bytes]  # one bytes object of RGB triplets per row

    def colour_counts(self, rows: range | None = None) -> Counter[bytes]:
        counts: Counter[bytes] = Counter()
        for y in rows or range(self.height):
            row = self.pixels[y]
            counts.update(row[i : i + 3] for i in range(0, len(row), 3))
        return counts


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Image:
    """Decode an 8-bit, non-interlaced greyscale, RGB or RGBA PNG (what Chromium writes) to RGB rows."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour_type, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                if i >= channels:
                    line[i] = (line[i] + _paeth(line[i - channels], previous[i], previous[i - channels])) & 0xFF
                else:
                    line[i] = (line[i] + previous[i]) & 0xFF
        elif kind != 0:
            raise ValueError(f"bad PNG filter {kind}")
        previous = line
        if channels == 3:
            rows.append(bytes(line))
        else:
            grey = channels < 3
            rgb = bytearray()
            for i in range(0, stride, channels):
                rgb += bytes((line[i],) * 3) if grey else line[i : i + 3]
            rows.append(bytes(rgb))
    return Image(width, height, rows)


# -- serving and driving the browser --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) for the duration of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class WebDriver:
    """The few W3C WebDriver commands this check needs, over HTTP to a local chromedriver."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = ""

    def _request(self, method: str, path: str, body: object = None, timeout: float = 60) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            payload = json.load(error)
            raise RuntimeError(
                f"WebDriver {method} {path}: {payload.get('value', {}).get('message', payload)}"
            ) from None
        return payload["value"]

    def start(self, profile: Path) -> None:
        capabilities = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:chromeOptions": {"binary": CHROMIUM, "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]},
                }
            }
        }
        value = self._request("POST", "/session", capabilities)
        assert isinstance(value, dict)
        self.session = value["sessionId"]

    def stop(self) -> None:
        if self.session:
            with contextlib.suppress(Exception):
                self._request("DELETE", f"/session/{self.session}", timeout=20)
            self.session = ""

    def command(self, method: str, name: str, body: object = None) -> object:
        return self._request(method, f"/session/{self.session}/{name}", body)

    def open(self, url: str) -> None:
        self.command("POST", "url", {"url": url})
        deadline = time.monotonic() + 20
        while self.script("return document.readyState") != "complete" and time.monotonic() < deadline:
            time.sleep(0.1)
        # Web fonts and the theme's scripts settle after load; give them a moment.
        self.script("return document.fonts ? document.fonts.ready.then(() => true) : true")
        time.sleep(0.3)

    def script(self, source: str, *args: object) -> object:
        return self.command("POST", "execute/sync", {"script": source, "args": list(args)})

    def screenshot(self) -> bytes:
        value = self.command("GET", "screenshot")
        assert isinstance(value, str)
        return base64.b64decode(value)


@contextlib.contextmanager
def browser() -> Iterator[WebDriver]:
    port = free_port()
    profile = Path(tempfile.mkdtemp(prefix="docs-chromium-profile-"))
    log = tempfile.NamedTemporaryFile(prefix="chromedriver-", suffix=".log", delete=False)
    driver_process = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1", f"--log-path={log.name}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    driver = WebDriver(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status = driver._request("GET", "/status", timeout=2)
                if isinstance(status, dict) and status.get("ready"):
                    break
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline or driver_process.poll() is not None:
                raise RuntimeError(f"chromedriver did not start (log: {log.name})")
            time.sleep(0.1)
        driver.start(profile)
        yield driver
    finally:
        driver.stop()
        driver_process.terminate()
        try:
            driver_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver_process.kill()
            driver_process.wait()
        shutil.rmtree(profile, ignore_errors=True)
        log.close()


# -- 2. rendering checks --------------------------------------------------------------------------


@dataclass
class PageCheck:
    """What a rendered page must show."""

    name: str
    path: str
    title_contains: str
    # (CSS selector, text the element's innerText must contain)
    texts: list[tuple[str, str]] = field(default_factory=list)
    # Click the light/dark toggle and check that the page turns dark.
    toggle_dark: bool = False
    # Type this into the search box; the results must name it.
    search: str | None = None


PAGES = [
    PageCheck(
        "home",
        "/",
        SITE_NAME,
        [
            (".md-header__topic", SITE_NAME),  # the site name in the header
            ("article h1", "customer_profiles_sdk"),
            ("nav.md-tabs", "API reference"),
            ("label.md-header__button[for='__search']", ""),  # the search button exists
            ("div.highlight .kn", "from"),  # code is highlighted (Pygments marks `from` as a keyword)
        ],
        toggle_dark=True,
        search="paginate_search_profiles",
    ),
    PageCheck(
        "reference-search_profiles",
        "/reference/operations/search_profiles/",
        "search_profiles",
        [
            ("article h1", "search_profiles"),
            (f'[id="{CLIENT}.search_profiles"]', "search_profiles"),
            ("article", "SearchProfilesRequest"),
            ("article", "paginate_search_profiles"),
        ],
    ),
]


def inspect_page(driver: WebDriver, url: str, check: PageCheck, out: Path | None) -> list[str]:
    """Load ``url`` and return what is wrong with it (an empty list when the page is fine)."""
    failures = []
    driver.open(url)
    title = driver.script("return document.title")
    if not isinstance(title, str) or check.title_contains not in title:
        failures.append(f"{check.name}: title {title!r} does not contain {check.title_contains!r}")
    for selector, expected in check.texts:
        text = driver.script(
            "const e = document.querySelector(arguments[0]); return e === null ? null : e.innerText;", selector
        )
        if not isinstance(text, str):
            failures.append(f"{check.name}: no element {selector!r}")
        elif expected not in text:
            failures.append(f"{check.name}: {selector!r} does not show {expected!r}")
    resources = driver.script("return performance.getEntriesByType('resource').map((entry) => entry.name);")
    root = url_root(url_of(driver))
    urls = resources if isinstance(resources, list) else []
    foreign = [url for url in urls if isinstance(url, str) and not url.startswith(root)]
    if foreign:
        failures.append(f"{check.name}: the page asked for {len(foreign)} resources elsewhere, e.g. {foreign[0]}")
    png = driver.screenshot()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{check.name}.png").write_bytes(png)
    image = decode_png(png)
    counts = image.colour_counts()
    background, background_count = counts.most_common(1)[0]
    total = image.width * image.height
    foreground = 1 - background_count / total
    header_colour = image.colour_counts(range(0, min(40, image.height))).most_common(1)[0][0]
    print(
        f"  {check.name}: {image.width}x{image.height}, {len(counts)} colours, "
        f"{foreground:.1%} non-background pixels, header #{header_colour.hex()}, title {title!r}"
    )
    if len(counts) < MIN_COLOURS:
        failures.append(f"{check.name}: screenshot has only {len(counts)} colours (< {MIN_COLOURS})")
    if foreground < MIN_FOREGROUND:
        failures.append(f"{check.name}: only {foreground:.2%} of the screenshot differs from the background")
    if header_colour == background:
        failures.append(f"{check.name}: the header band has the background colour (stylesheet not applied?)")
    if check.toggle_dark:
        failures += toggle_dark(driver, check, background, out)
    if check.search:
        failures += search(driver, check, check.search)
    return failures


SEARCH = """
const input = document.querySelector('input.md-search__input');
if (input === null) { return false; }
input.focus();
input.value = arguments[0];
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
return true;
"""
RESULTS = "const e = document.querySelector('.md-search-result__list'); return e ? e.innerText : '';"


def search(driver: WebDriver, check: PageCheck, query: str) -> list[str]:
    """Type ``query`` into the site's search box and wait for results that contain it."""
    if not driver.script(SEARCH, query):
        return [f"{check.name}: no search box"]
    deadline = time.monotonic() + 10
    found = ""
    while time.monotonic() < deadline:
        text = driver.script(RESULTS)
        found = text if isinstance(text, str) else ""
        if query in found:
            break
        time.sleep(0.1)
    print(f"  {check.name} search {query!r}: {found.count(query)} mentions in the results")
    if query not in found:
        return [f"{check.name}: searching {query!r} gave no result that names it"]
    return []


def url_of(driver: WebDriver) -> str:
    url = driver.command("GET", "url")
    return url if isinstance(url, str) else ""


def url_root(url: str) -> str:
    """``http://127.0.0.1:PORT/`` of a page's URL."""
    parts = url.split("/", 3)
    return "/".join(parts[:3]) + "/"


def luminance(colour: bytes) -> float:
    red, green, blue = colour
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


TOGGLE = """
const labels = [...document.querySelectorAll('form[data-md-component="palette"] label')];
const visible = labels.filter((label) => label.offsetParent !== null);
if (visible.length === 0) { return null; }
visible[0].click();
return document.body.getAttribute('data-md-color-scheme');
"""


def toggle_dark(driver: WebDriver, check: PageCheck, light_background: bytes, out: Path | None) -> list[str]:
    """Click the palette toggle: the scheme must become ``slate`` and the screenshot dark."""
    scheme = driver.script(TOGGLE)
    if scheme is None:
        return [f"{check.name}: no light/dark toggle in the header"]
    time.sleep(0.3)
    png = driver.screenshot()
    if out is not None:
        (out / f"{check.name}-dark.png").write_bytes(png)
    background = decode_png(png).colour_counts().most_common(1)[0][0]
    driver.script(TOGGLE)  # back to light, for the pages checked after this one
    print(f"  {check.name} after the toggle: scheme {scheme!r}, background #{background.hex()}")
    failures = []
    if scheme != "slate":
        failures.append(f"{check.name}: the toggle set the colour scheme {scheme!r}, not 'slate'")
    if not luminance(background) < 100 <= luminance(light_background):
        failures.append(
            f"{check.name}: the background did not turn dark (#{light_background.hex()} -> #{background.hex()})"
        )
    return failures


def check_rendering(site: Path, out: Path | None, self_test_only: bool = False) -> list[str]:
    failures: list[str] = []
    blank = Path(tempfile.mkdtemp(prefix="docs-blank-"))
    (blank / "index.html").write_text("<!doctype html><title></title><body></body>", encoding="utf-8")
    try:
        with browser() as driver:
            if not self_test_only:
                with serve(site) as base:
                    print(f"rendering: serving {site} at {base}")
                    for check in PAGES:
                        failures += inspect_page(driver, base + check.path, check, out)
            # The self-test: the same checks must fail on a blank page.
            with serve(blank) as base:
                print("self-test: the same checks on a blank page, which must fail")
                for check in PAGES:
                    found = inspect_page(
                        driver,
                        base + "/",
                        PageCheck(f"blank-as-{check.name}", "/", check.title_contains, check.texts),
                        out,
                    )
                    if found:
                        print(f"  blank page rejected as expected ({len(found)} problems, e.g. {found[-1]})")
                    else:
                        failures.append(f"self-test: a blank page passed the {check.name} checks")
    finally:
        shutil.rmtree(blank, ignore_errors=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built site (mkdocs build -d SITE)")
    parser.add_argument("--screenshots", type=Path, help="keep the screenshots in this folder")
    parser.add_argument("--self-test-only", action="store_true", help="only show that a blank page fails")
    args = parser.parse_args()
    started = time.monotonic()
    failures: list[str] = []
    if not args.self_test_only:
        if not (args.site / "index.html").exists():
            print(f"{args.site} holds no built site", file=sys.stderr)
            return 1
        failures += check_completeness(args.site)
    failures += check_rendering(args.site, args.screenshots, args.self_test_only)
    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    print(
        f"site check: {'FAILED' if failures else 'ok'} ({len(failures)} problems, {time.monotonic() - started:.1f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
