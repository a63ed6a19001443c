"""The course's JupyterLab as ``make lab`` opens it: Chinese drawn with the course's font, no instructor tools, no pop-up.

A fresh learner runs ``make lab`` (issue 19). These tests start that very command line, the
Makefile's ``lab`` target, on a free port of 127.0.0.1 (``LAB_ARGS`` adds the port, token and
--no-browser; ``LAB_ROOT`` points it at a temporary folder holding a Chinese notebook; ``LAB_USER_DIR``
gives it empty user settings, so only the course's own configuration in lab/ counts), once for the
module, and check over plain HTTP and in headless Chromium (/work/shared/BROWSER_TEST.md, helpers
from tests/test_browser.py) that

- ``make lab`` answers on /lab with the course's configuration: custom.css, the CJK font file served
  from the mplfonts package, nbgrader's lab extension and server extensions off, the news question off;
- a Chinese heading, markdown, code, output, widgets and the UI (a notebook's name) are drawn with
  the course's Noto Sans CJK SC web font, not a system font, so they render on a machine without one
  (Chromium reports the platform font of each text node);
- no nbgrader menu, panel or button, and no "official Jupyter news" toast, appear in the learner's lab,
  while ``make instructor-lab`` serves nbgrader's formgrader and loads its lab extension;
- a link of notebook 15 (``NN_name.ipynb#cell-id=...``) opens the notebook it names and brings the
  section's heading on screen, for a link into another notebook and one into notebook 15 itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from test_browser import (
    NO_PROXY, _browser_page, _free_port, _stop, _unavailable, _wait_for_server,
)

REPO = Path(__file__).resolve().parents[1]
LAB = REPO / "lab"
FONT_FAMILY = "lmtutor CJK"  # the @font-face of lab/config/custom/custom.css
FONT_NAME = "Noto Sans CJK SC"  # the family stored in the font file (lmtutor.plots.cjk_font_name())
FONT_FILE = "NotoSansCJKsc-Regular.otf"  # lmtutor.plots.cjk_font_path().name; its PostScript name is the stem
NOTEBOOK = "中文.ipynb"  # a Chinese name: the file browser and the tab show it in the UI font
KERNEL = "Python 3 (ipykernel)"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# part of the page: (selector of the element, the Chinese text it shows)
PROBES = {
    "heading": (".jp-RenderedMarkdown h1", "中文标题"),
    "markdown": (".jp-RenderedMarkdown p", "正文：我有一个苹果。"),
    "code": (".jp-Cell .cm-content", "代码：我有一个苹果。"),
    "output": (".jp-OutputArea-output pre", "输出：我有一个苹果。"),
    "widget label": (".jp-OutputArea-output .widget-label", "标签：我有一个苹果。"),
    "widget button": (".jp-OutputArea-output button.jupyter-button", "按钮"),
    "HTML output code": (".jp-RenderedHTMLCommon code", "检查：代码"),  # how lmtutor.checks shows a hint
    "widget HTML code": (".widget-html-content code", "部件：代码"),
    "notebook tab": ("#jp-main-dock-panel .lm-TabBar-tabLabel", NOTEBOOK),
}
INSTRUCTOR_ONLY = {  # what nbgrader 0.9.6 adds to JupyterLab (seen in make instructor-lab)
    "menu": ".lm-MenuBar-itemLabel:text-is('Nbgrader')",
    "Create Assignment panel": ".jp-SideBar .lm-TabBar-tab[title*='Create Assignment'], .nbgrader-CreateAssignmentWidget",
    "Validate button": ".jp-NotebookPanel-toolbar .jp-ToolbarButtonComponent-label:text-is('Validate')",
    # Notebook 7 comes with nbgrader (nothing in requirements.txt needs it): its "open in Notebook"
    # button would appear in the learner's lab only once make test or make student has run.
    "Notebook button": ".jp-NotebookPanel-toolbar .jp-ToolbarButtonComponent-label:text-is('Notebook')",
}
NEWS = "official Jupyter news"
FIFTEEN = "15_further_reading.ipynb"
# notebook 15's links followed in the browser: (notebook, cell id, heading); 04 §5 sits far down a long notebook
LINKS = [("04_lstm.ipynb", "5561f7a9-2", "5. A character-level LSTM language model (字符级语言模型)"),
         (FIFTEEN, "c15-009", "2. The papers behind every notebook (阅读清单)")]
LINKED = sorted({FIFTEEN} | {name for name, _, _ in LINKS})  # the question JupyterLab asks at first launch unless fetchNews is set


def chinese_notebook():
    """Return a notebook with Chinese in a heading, markdown, code, its printed and HTML outputs and four widgets."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": KERNEL, "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {PROBES['heading'][1]}\n\n{PROBES['markdown'][1]}"),
        nbformat.v4.new_code_cell(
            f"text = '{PROBES['code'][1]}'\n"
            f"print('{PROBES['output'][1]}')\n"
            "from IPython.display import HTML, display\n"
            f"display(HTML('<div>提示 <code>{PROBES['HTML output code'][1]}</code></div>'))\n"
            "import ipywidgets\n"
            f"ipywidgets.VBox([ipywidgets.Label('{PROBES['widget label'][1]}'), "
            f"ipywidgets.HTML('<code>{PROBES['widget HTML code'][1]}</code>'), "
            f"ipywidgets.Button(description='{PROBES['widget button'][1]}'), ipywidgets.Text(value='文本框')])"
        ),
    ]
    return nb


def _make() -> str:
    """Return the path of make, or skip: these tests run the Makefile's own command line."""
    make = shutil.which("make")
    if not make:
        _unavailable("make is missing: these tests start `make lab`")
    return make


def _start(target: str, tmp: Path):
    """Start ``make <target>`` on a free port; return (process, base url, token, log path) once it answers."""
    stamp = REPO / ".venv" / (".installed-test" if target == "instructor-lab" else ".installed")
    if not stamp.exists():
        _unavailable(f"{stamp.relative_to(REPO)} is missing: run make test (or make {target}) once first")
    root = tmp / "root"
    root.mkdir()
    import nbformat

    nbformat.write(chinese_notebook(), root / NOTEBOOK)
    for name in LINKED:
        shutil.copy(REPO / "notebooks" / name, root / name)
    port, token = _free_port(), uuid.uuid4().hex
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    command = [
        # -o: never reinstall .venv from a test, even if a requirements file is newer than its stamp
        _make(), "--no-print-directory", "-o", ".venv/.installed", "-o", ".venv/.installed-test", target,
        f"LAB_ARGS={args}", f"LAB_ROOT={root}", f"LAB_USER_DIR={tmp / 'user'}",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE"))}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_DATA_DIR=str(tmp / "data"))
    log_path = tmp / f"{target}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(process, base, token, log_path, f"make {target}", 90)
    except BaseException:
        _stop(process)
        raise
    return process, base, token, log_path


def _get(server, path: str) -> tuple[int, bytes]:
    """Return (status, body) of GET ``path`` on the server, without a proxy."""
    import urllib.error

    _, base, token, _ = server
    sep = "&" if "?" in path else "?"
    try:
        with NO_PROXY.open(f"{base}{path}{sep}token={token}", timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _page_config(server) -> dict:
    """Return the page config JupyterLab sends with /lab (the JSON in #jupyter-config-data)."""
    status, body = _get(server, "/lab")
    assert status == 200, f"GET /lab answered {status}"
    found = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, "no jupyter-config-data in the /lab page"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def course_lab(tmp_path_factory):
    """Yield (process, base url, token, log) of `make lab`, the learner's JupyterLab."""
    server = _start("lab", tmp_path_factory.mktemp("make-lab"))
    try:
        yield server
    finally:
        _stop(server[0])


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """Yield (process, base url, token, log) of `make instructor-lab`."""
    pytest.importorskip("nbgrader", reason="make instructor-lab needs requirements-test.txt (nbgrader)")
    server = _start("instructor-lab", tmp_path_factory.mktemp("make-instructor-lab"))
    try:
        yield server
    finally:
        _stop(server[0])


def test_learner_config_turns_off_every_server_extension_nbgrader_registers():
    """lab/learner disables the server extensions nbgrader's own config file enables, and its lab extension."""
    from importlib import metadata

    try:
        files = metadata.files("nbgrader") or []
    except metadata.PackageNotFoundError:
        pytest.skip("nbgrader is not installed (requirements-test.txt)")
    registered = {}
    for file in files:
        if file.name.endswith(".json") and "jupyter_server_config.d" in str(file):
            registered.update(json.loads(Path(file.locate()).read_text())["ServerApp"]["jpserver_extensions"])
    learner = json.loads((LAB / "learner" / "jupyter_server_config.d" / "nbgrader.json").read_text())
    assert registered and learner["ServerApp"]["jpserver_extensions"] == dict.fromkeys(registered, False)
    labextension = json.loads((LAB / "learner" / "labconfig" / "page_config.json").read_text())
    assert labextension == {"disabledExtensions": {"@jupyter/nbgrader": True, "@jupyter-notebook/lab-extension": True}}


def test_custom_css_loads_the_font_file_lmtutor_plots_uses():
    """custom.css names the file of lmtutor.plots.cjk_font_path(), the folder make lab serves under /static/."""
    from lmtutor.plots import cjk_font_name, cjk_font_path

    css = (LAB / "config" / "custom" / "custom.css").read_text(encoding="utf-8")
    assert cjk_font_path().name == FONT_FILE and f'url("../static/{FONT_FILE}")' in css
    assert cjk_font_name() == FONT_NAME
    for variable in ("--jp-ui-font-family", "--jp-content-font-family", "--jp-code-font-family-default"):
        assert re.search(rf'{variable}: "{FONT_FAMILY}",', css), f"{variable} must list {FONT_FAMILY!r} first"


@pytest.mark.browser
def test_make_lab_serves_the_course_with_its_font_and_without_nbgrader(course_lab):
    from lmtutor.plots import cjk_font_path

    config = _page_config(course_lab)
    assert "@jupyter/nbgrader" in config["disabledExtensions"], config["disabledExtensions"]
    status, body = _get(course_lab, "/lab")
    assert b"custom/custom.css" in body, "make lab must load custom.css (--LabApp.custom_css=True)"
    status, css = _get(course_lab, "/custom/custom.css")
    assert status == 200 and css == (LAB / "config" / "custom" / "custom.css").read_bytes()
    status, font = _get(course_lab, f"/static/{cjk_font_path().name}")
    assert status == 200, f"the CJK font is not served under /static/ ({status})"
    assert hashlib.sha256(font).digest() == hashlib.sha256(cjk_font_path().read_bytes()).digest()
    status, _ = _get(course_lab, "/formgrader")
    assert status == 404, f"nbgrader's formgrader must be off in make lab, GET /formgrader answered {status}"
    status, body = _get(course_lab, "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = {k: v.get("default") for k, v in json.loads(body)["schema"]["properties"].items()}
    assert status == 200 and defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults


def _platform_fonts(page, probes: dict) -> dict[str, tuple[str, list[dict]]]:
    """Return {probe: (its Chinese text, the fonts Chromium drew that text node with)}."""
    marked = page.evaluate(
        """probes => {
            const out = {};
            for (const [name, [selector, text]] of Object.entries(probes)) {
                for (const root of document.querySelectorAll(selector)) {
                    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                    let node;
                    while ((node = walker.nextNode()) && !node.data.includes(text.slice(0, 2))) {}
                    if (node) {
                        node.parentElement.setAttribute('data-lmtutor-probe', name);
                        out[name] = node.parentElement.textContent;
                        break;
                    }
                }
            }
            return out;
        }""",
        probes,
    )
    missing = sorted(set(probes) - set(marked))
    assert not missing, f"no Chinese text found on the page for {missing}"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    fonts = {}
    for name, text in marked.items():
        node = cdp.send("DOM.querySelector", {"nodeId": document, "selector": f"[data-lmtutor-probe='{name}']"})
        fonts[name] = (text, cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"])
    cdp.detach()
    return fonts


@contextlib.contextmanager
def _notebook_page(server, tmp_path, font_responses: list | None = None):
    """Open the Chinese notebook in Chromium and wait for its kernel; yield (expect, page)."""
    _, base, token, _ = server
    with _browser_page(tmp_path) as (sync_api, page):
        if font_responses is not None:
            page.on("response", lambda r: font_responses.append((r.url, r.status)) if ".otf" in r.url else None)
        page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}&reset")
        # The status bar, not the toolbar: the toolbar reads idle while the kernel still starts.
        status = page.locator("#jp-main-statusbar").get_by_text(f"{KERNEL} | Idle", exact=True)
        sync_api.expect(status).to_be_visible(timeout=90_000)
        yield sync_api.expect, page


@pytest.mark.browser
def test_learner_lab_draws_chinese_with_the_course_font_and_shows_no_instructor_tools(course_lab, tmp_path):
    font_responses = []
    with _notebook_page(course_lab, tmp_path, font_responses) as (expect, page):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        expect(page.locator(".jp-OutputArea-output button.jupyter-button")).to_be_visible(timeout=60_000)

        loaded = page.evaluate(
            """async family => {
                await document.fonts.ready;
                const faces = [...document.fonts].filter(f => f.family.replace(/"/g, '') === family);
                return [faces.map(f => f.status), document.fonts.check(`16px "${family}"`, '中')];
            }""",
            FONT_FAMILY,
        )
        assert loaded == [["loaded"], True], f"the @font-face {FONT_FAMILY!r} did not load: {loaded}"
        assert any(url.endswith(f"/static/{FONT_FILE}") and code in (200, 304)
                   for url, code in font_responses), font_responses

        wrong = {}
        for name, (text, fonts) in _platform_fonts(page, PROBES).items():
            cjk = len(CJK.findall(text))
            ours = sum(f["glyphCount"] for f in fonts
                       if f["postScriptName"] == Path(FONT_FILE).stem and f["isCustomFont"])
            if ours < cjk:  # every Chinese character of the node, drawn with the web font
                wrong[name] = f"{text!r}: {cjk} Chinese characters, fonts used {fonts}"
        assert not wrong, "Chinese not drawn with the course's font:\n" + "\n".join(f"{k}: {v}" for k, v in wrong.items())
        # A text box draws its value inside the browser's own shadow DOM: check the font it is given.
        box = page.locator(".jp-OutputArea-output .widget-text input").evaluate("e => getComputedStyle(e).fontFamily")
        assert box.startswith(f'"{FONT_FAMILY}"'), f"a widget's text box uses {box}"

        shown = {name: page.locator(selector).count() for name, selector in INSTRUCTOR_ONLY.items()}
        assert not any(shown.values()), f"nbgrader's UI in the learner's lab: {shown}"
        assert page.get_by_text(NEWS).count() == 0, "the Jupyter news question must not pop up"
        page.screenshot(path=str(tmp_path / "make_lab.png"))
        print(f"screenshot: {tmp_path / 'make_lab.png'}")


@pytest.mark.browser
def test_make_instructor_lab_keeps_nbgrader(instructor_lab, tmp_path):
    """The instructor's lab has what the learner's lacks (which also proves INSTRUCTOR_ONLY finds it)."""
    assert "@jupyter/nbgrader" not in _page_config(instructor_lab)["disabledExtensions"]
    status, _ = _get(instructor_lab, "/formgrader")
    assert status == 200, f"make instructor-lab must serve nbgrader's formgrader, GET /formgrader answered {status}"
    with _notebook_page(instructor_lab, tmp_path) as (expect, page):
        for name, selector in INSTRUCTOR_ONLY.items():
            expect(page.locator(selector).first, f"nbgrader's {name}").to_be_attached()


@pytest.mark.browser
@pytest.mark.parametrize("name, cell_id, heading", LINKS, ids=[name[:2] for name, _, _ in LINKS])
def test_a_link_of_notebook_15_brings_its_section_on_screen(course_lab, tmp_path, name, cell_id, heading):
    """JupyterLab 4.6 scrolls to a #cell-id= link while a notebook it just opened is still laying out its
    cells, so the first click may stop short (seen: the heading 108-251 px below a 1000 px window); notebook
    15 tells the learner to click again, and this test does what it says: at most two clicks."""
    _, base, token, _ = course_lab
    with _browser_page(tmp_path) as (sync_api, page):
        page.goto(f"{base}/lab/tree/{FIFTEEN}?token={token}&reset")
        link = page.locator(f".jp-RenderedMarkdown a[href*='/{name}?'][href$='#cell-id={cell_id}']").first
        link.wait_for(state="attached", timeout=90_000)
        assert link.get_attribute("title") == heading  # the heading shows when the learner hovers
        target = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown h2", has_text=heading)
        tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
        top = None
        for click in range(2):
            if click:  # back to notebook 15 for the second click
                page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=FIFTEEN).click()
            link.scroll_into_view_if_needed()
            link.click()
            sync_api.expect(tab).to_have_text(name, timeout=60_000)
            page.wait_for_timeout(3_000)  # let the scroll settle
            top = target.evaluate("h => h.getBoundingClientRect().top")
            if 0 <= top < page.viewport_size["height"] - 50:
                break
        page.screenshot(path=str(tmp_path / "link.png"))
        assert 0 <= top < page.viewport_size["height"] - 50, \
            f"after two clicks the heading of {name} cell {cell_id} is at {top:.0f} px (screenshot {tmp_path / 'link.png'})"
