"""The course's widgets in a real JupyterLab and a headless Chromium: Run All, use them, see the kernel answer.

nbval runs the cells but renders no widget; these tests prove that the token explorer of notebook
01, the sampler of notebook 07, the attention explorer of notebook 08 and the translation explorer
of notebook 09 are drawn in the browser,
and that typing in them, moving a slider or picking from a drop-down reaches the kernel and comes
back. Each opens a fixture notebook built from the real one: its Setup cell and the cells tagged
``browser`` (the widget cell and the cells whose variables it uses), so the rest of the notebook,
which nbval already runs, is not executed a second time (see FIXTURE_SETTINGS for notebook 08).
The fast test at the end checks every fixture holds the widget call its browser test drives and
needs no cell left out. They follow
/work/shared/BROWSER_TEST.md: Debian's Chromium driven by Playwright (no browser download), a
JupyterLab started here on 127.0.0.1 with temporary config/data/runtime dirs, in its own process
group, stopped in the fixture's teardown. The kernel is the Python that runs pytest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SENTENCE = "人工智能是一种重要的技术。"  # jieba: 人工智能 / 是 / 一种 / 重要 / 的 / 技术 / 。
PROMPT = "他是中国人"  # a new prompt for notebook 07's sampler
RUN_ALL_TIMEOUT = 240  # s until a widget is drawn or answers: the fixtures of 01, 07 and 08 load data or models first
WIDGET_CALLS = {  # notebook: the call that draws the widget its browser test drives
    "01_text_and_tokens.ipynb": "token_explorer(",
    "07_text_generation.ipynb": "widgets.sampler(zh_stepper",
    "08_attention_and_transformer.ipynb": "widgets.attention_explorer(",
    "09_translation.ipynb": "widgets.translation_explorer(",
    "11_sentiment.ipynb": "widgets.sentiment_explorer(",
    "12_dialogue.ipynb": "widgets.chat(",
}
FIXTURE_SETTINGS = {  # notebook: a cell the fixture runs right after Setup, which it overrides
    # Notebook 08's widget shows the attention of the Transformer trained in section 6 (cell tagged
    # browser), for UPDATES = 800 updates per model. The fixture trains 100: the maps differ per
    # head, block and sentence all the same (what the test checks), for about 25 s less.
    "08_attention_and_transformer.ipynb": "UPDATES = 100  # browser fixture: 100 updates, not 800",
    # Notebook 09's explorer shows the attention model of section 3, trained for EPOCHS = 2 epochs beside
    # the model without attention. One epoch each is enough to test the widget (its translations are
    # then often wrong, which the test does not check), in half the two models' training time.
    "09_translation.ipynb": "EPOCHS = 1  # browser fixture: 1 epoch per model, not 2",
}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server",  # the server is on 127.0.0.1; an http_proxy in the environment must not apply
]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _unavailable(reason: str):
    """Skip the test, or fail it under CI (CI=true), where a skipped browser test would hide a gap."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def _chromium() -> str:
    """Return the path of the system Chromium, or skip."""
    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if not path:
        _unavailable("Chromium is missing: apt-get install -y chromium (Playwright never downloads one here)")
    return path


def _playwright():
    """Return playwright.sync_api, or skip."""
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("playwright is not installed: pip install -r requirements-test.txt")
    return sync_api


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fixture_notebook(name: str):
    """Return the browser fixture of notebooks/<name>: Setup, FIXTURE_SETTINGS, the cells tagged browser."""
    import nbformat

    from conftest import browser_cells, read, with_cells

    nb = read(REPO / "notebooks" / name)
    cells = browser_cells(nb)
    if name in FIXTURE_SETTINGS:
        cells.insert(1, nbformat.v4.new_code_cell(FIXTURE_SETTINGS[name]))
    return with_cells(nb, cells)


def _write_kernelspec(data_dir: Path, kernelspec: dict) -> str:
    """Return the display name of a kernelspec, named as the notebook's, written to run this Python."""
    name = kernelspec.get("name") or "python3"
    display_name = kernelspec.get("display_name") or "Python 3 (ipykernel)"
    spec_dir = data_dir / "kernels" / name
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return display_name


def _wait_for_server(process: subprocess.Popen, base: str, token: str, log_path: Path, what: str,
                     seconds: float) -> None:
    """Return once the Jupyter server at ``base`` answers; fail (with its log) if ``process`` exits or
    ``seconds`` pass first. The caller stops the process."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with NO_PROXY.open(f"{base}/api/status?token={token}", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not answer within {seconds:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's process group, then any kernel it started (kernels get their own session)."""
    import psutil

    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    for child in descendants:  # only processes this server started, by pid
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.fixture
def lab(request, tmp_path):
    """Yield (notebook url, kernel display name, server pid) of a JupyterLab serving a copy of notebooks/.

    The notebook is the test's parameter: ``@pytest.mark.parametrize("lab", [name], indirect=True)``;
    the page opens its browser fixture (:func:`fixture_notebook`), saved beside it in the copy.
    """
    notebook = request.param
    _playwright(), _chromium()  # skip before starting anything
    source = REPO / "notebooks" / notebook
    if not source.exists():
        _unavailable(f"notebooks/{notebook} does not exist yet; this test runs its widget")
    root = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    import nbformat

    fixture = fixture_notebook(notebook)
    kernelspec = fixture.metadata.get("kernelspec", {})
    notebook = f"browser_{notebook}"
    nbformat.write(fixture, root / notebook)

    jupyter = tmp_path / "jupyter"
    dirs = {name: jupyter / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    for path in dirs.values():
        path.mkdir(parents=True)
    display_name = _write_kernelspec(dirs["data"], kernelspec)
    labconfig = dirs["config"] / "labconfig"
    labconfig.mkdir()
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    # The course's CSS (Chinese in its own CJK font, as make lab sets it up), so screenshots show what a
    # learner sees on a machine without a CJK system font.
    shutil.copytree(REPO / "lab" / "config" / "custom", dirs["config"] / "custom")
    from lmtutor.plots import cjk_font_path
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    )
    env.pop("JUPYTER_PATH", None)  # no other kernelspec may shadow the one written above:
    env["JUPYTER_PREFER_ENV_PATH"] = "0"  # in a venv, <prefix>/share/jupyter would win otherwise
    port, token = _free_port(), uuid.uuid4().hex
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.custom_css=True", f"--ServerApp.extra_static_paths={cjk_font_path().parent}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = tmp_path / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(process, base, token, log_path, "JupyterLab", 60)
        yield f"{base}/lab/tree/{notebook}?token={token}&reset", display_name, process.pid
    finally:
        _stop(process)


def _kernel_pythons(server_pid: int) -> list[str]:
    """Return the Python executable of each kernel the server has started."""
    import psutil

    return [
        child.cmdline()[0]
        for child in psutil.Process(server_pid).children(recursive=True)
        if "ipykernel_launcher" in child.cmdline()
    ]


def _page_errors(page) -> str:
    """Return the text of the error outputs on the page (to say why the widget never came)."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    return "\n---\n".join(errors.all_inner_texts())[-3000:]


def _words_that_must_go(initial: str) -> list[str]:
    """Return jieba words of the widget's first sentence that cannot appear in the table of SENTENCE."""
    from lmtutor.text import tokenize

    boilerplate = (  # the table's own words
        "scheme count tokens ids word char zh_word no vocab (none) "
        "dashed red not in the vocabulary: its id is that of <unk>"
    )
    words = [
        w for w in tokenize(initial, "zh_word")
        if len(w) >= 2 and not w.isdigit() and w not in SENTENCE and w.lower() not in boilerplate
    ]
    if not words:
        pytest.fail(f"the token explorer starts with {initial!r}: no word of it tells the two tables apart")
    return words


@contextlib.contextmanager
def _browser_page(tmp_path):
    """Yield (playwright.sync_api, page): a new page of headless Chromium, 1400 x 1000, profile in tmp_path."""
    sync_api, chromium = _playwright(), _chromium()
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=chromium, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
        )
        try:
            yield sync_api, context.new_page()
        finally:
            context.close()


@contextlib.contextmanager
def _run_all(lab, tmp_path):
    """Open the lab's notebook in Chromium, wait for its kernel, click Run All; yield (expect, page)."""
    url, display_name, server_pid = lab
    with _browser_page(tmp_path) as (sync_api, page):
        page.goto(url)
        # The status bar, not the toolbar: the toolbar reads idle while the kernel still starts.
        status = page.locator("#jp-main-statusbar").get_by_text(f"{display_name} | Idle", exact=True)
        sync_api.expect(status).to_be_visible(timeout=90_000)
        assert _kernel_pythons(server_pid) == [sys.executable], "the kernel must run this Python"

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        yield sync_api.expect, page


def _wait_for_widget(page, selector: str):
    """Return the first element matching ``selector`` once Run All has drawn it.

    Fails early if every cell has finished without it (an error stops Run All), with the error outputs.
    """
    found = page.locator(selector)
    running = page.locator(".jp-InputPrompt", has_text="[*]")
    start, finished_at = time.monotonic(), None
    while found.count() == 0:
        now = time.monotonic()
        if finished_at is None and now - start > 10 and running.count() == 0:
            finished_at = now  # grace period: the view is drawn just after the cell ends
        if now - start > RUN_ALL_TIMEOUT or (finished_at and now - finished_at > 15):
            why = "all cells finished" if finished_at else f"{RUN_ALL_TIMEOUT} s passed"
            pytest.fail(f"no {selector} on the page ({why}); error outputs:\n{_page_errors(page)}")
        page.wait_for_timeout(250)
    found.first.scroll_into_view_if_needed()
    return found.first


def _widget_output(page, selector: str):
    """Return the output area that holds the first ``selector``: the whole widget, to find its controls in."""
    return page.locator(".jp-OutputArea-output").filter(has=page.locator(selector)).first


def _image_digest(image) -> str:
    """Return the SHA-256 of the PNG an ipywidgets Image shows (its src is a blob: URL, new on every redraw)."""
    data = image.evaluate("async img => Array.from(new Uint8Array(await (await fetch(img.src)).arrayBuffer()))")
    assert bytes(data[:8]) == b"\x89PNG\r\n\x1a\n", "the widget's image is not a PNG"
    return hashlib.sha256(bytes(data)).hexdigest()


def _redrawn(expect, image, old_src: str) -> tuple[str, str]:
    """Wait for the kernel to send ``image`` a new picture; return its (src, digest)."""
    # Later cells may still be running; the kernel answers the widget once they are done.
    expect(image).not_to_have_attribute("src", old_src, timeout=RUN_ALL_TIMEOUT * 1000)
    src = image.get_attribute("src")
    return src, _image_digest(image)


def _screenshot(page, tmp_path, element, name: str) -> None:
    element.scroll_into_view_if_needed()
    screenshot = tmp_path / f"{name}.png"
    page.screenshot(path=str(screenshot))
    print(f"screenshot: {screenshot}")


@pytest.mark.browser
@pytest.mark.parametrize("lab", ["01_text_and_tokens.ipynb"], indirect=True)
def test_token_explorer_answers_typing_in_notebook_01(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        sentence = _wait_for_widget(page, ".lmtutor-token-input input")
        output = page.locator(".lmtutor-token-output").first
        old_words = _words_that_must_go(sentence.input_value())
        for word in old_words:  # the notebook's sentence, tokenized by the kernel
            expect(output).to_contain_text(word, timeout=30_000)

        sentence.fill(SENTENCE[:-1])
        sentence.press_sequentially(SENTENCE[-1])  # a real keystroke after the paste-like fill
        assert sentence.input_value() == SENTENCE
        # Later cells may still be running; the kernel answers the widget once they are done.
        expect(output).to_contain_text("人工智能", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(output).to_contain_text("技术")
        for word in old_words:
            expect(output).not_to_contain_text(word)
        _screenshot(page, tmp_path, output, "token_explorer")


@pytest.mark.browser
@pytest.mark.parametrize("lab", ["07_text_generation.ipynb"], indirect=True)
def test_sampler_answers_a_slider_and_a_new_prompt_in_notebook_07(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        _wait_for_widget(page, ".lmtutor-sampler-figure[src^='blob:']")
        sampler = _widget_output(page, ".lmtutor-sampler-figure")  # the first one: People's Daily words
        text, image = sampler.locator(".lmtutor-sampler-text"), sampler.locator(".lmtutor-sampler-figure")
        expect(text).to_contain_text("我有一个苹果。", timeout=30_000)  # the notebook's prompt
        expect(text).to_contain_text("the rules keep")
        before = text.inner_text()
        assert "the rules keep 1 of" not in before, f"top-p 0.9 alone must keep more than one word: {before}"
        # On its defaults the sampler writes text: <eos> may not end it before 10 new words (min length).
        written = text.locator(".lmtutor-continuation").inner_text()[len("我有一个苹果。"):]
        assert len(written) >= 10, f"the default sample must go on for 10 words at least, got {written!r}"
        expect(text).to_contain_text("may not end the text before 10 new token(s)")
        # The figure is shown at its own size from an image with 2 pixels per CSS pixel (sharp, not blown
        # up), and the button shows its whole label.
        sizes = image.evaluate("e => [e.naturalWidth, e.getBoundingClientRect().width]")
        assert abs(sizes[0] / 2 - sizes[1]) <= 1, f"image pixels vs shown CSS pixels: {sizes}"
        button = sampler.locator("button", has_text="new sample")
        assert button.evaluate("e => e.scrollWidth <= e.clientWidth"), "the button's label is cut off"
        src, digest = image.get_attribute("src"), _image_digest(image)

        # top-k from 0 (off) to 1, by keyboard as a user would: only the most likely word is left.
        handle = sampler.locator(".widget-slider", has_text="top-k").locator(".noUi-handle")
        handle.focus()
        handle.press("ArrowRight")
        expect(text).to_contain_text("the rules keep 1 of", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(sampler.locator(".widget-slider", has_text="top-k").locator(".widget-readout")).to_have_text("1")
        src, new_digest = _redrawn(expect, image, src)
        assert new_digest != digest, "the next-token figure must change with top-k"

        prompt = sampler.locator(".widget-text input[type='text']")
        prompt.fill(PROMPT)
        prompt.press("Enter")  # the prompt box sends its value on Enter (continuous_update=False)
        expect(text.locator(".lmtutor-continuation b")).to_have_text(PROMPT, timeout=RUN_ALL_TIMEOUT * 1000)
        expect(text).not_to_contain_text("我有一个苹果。")
        assert _redrawn(expect, image, src)[1] != new_digest, "the figure must follow the new prompt"
        _screenshot(page, tmp_path, image, "sampler")


@pytest.mark.browser
@pytest.mark.parametrize("lab", ["08_attention_and_transformer.ipynb"], indirect=True)
def test_attention_explorer_answers_its_drop_downs_in_notebook_08(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        image = _wait_for_widget(page, ".lmtutor-attention-figure[src^='blob:']")
        sentence, block, head = (_widget_output(page, ".lmtutor-attention-figure")
                                 .locator(".lmtutor-attention-controls select").all())
        src, first = image.get_attribute("src"), _image_digest(image)
        seen = [first]
        for select, choice in ((head, dict(label="1")), (block, dict(label="1")), (sentence, dict(index=1))):
            select.select_option(**choice)
            src, digest = _redrawn(expect, image, src)
            assert digest not in seen, f"picking {choice} must draw another heat map"
            seen.append(digest)
        for select, choice in ((sentence, dict(index=0)), (block, dict(label="0")), (head, dict(label="0"))):
            select.select_option(**choice)
            src, digest = _redrawn(expect, image, src)
        assert digest == first, "back to the first sentence, block 0 and head 0: the first heat map again"
        _screenshot(page, tmp_path, image, "attention_explorer")


@pytest.mark.browser
@pytest.mark.parametrize("lab", ["09_translation.ipynb"], indirect=True)
def test_translation_explorer_answers_a_new_sentence_and_the_beam_slider_in_notebook_09(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        image = _wait_for_widget(page, ".lmtutor-translation-figure[src^='blob:']")
        explorer = _widget_output(page, ".lmtutor-translation-figure")
        text = explorer.locator(".lmtutor-translation-text")
        expect(text).to_contain_text("twelve", timeout=30_000)  # the notebook's example, tokenized by the kernel
        expect(text.locator(".lmtutor-beam tr")).to_have_count(1 + 4)  # a header and the 4 hypotheses
        src, digest = image.get_attribute("src"), _image_digest(image)

        # Markup typed by a learner is shown as text, never run or rendered; unknown words are named.
        sentence = explorer.locator(".widget-text input[type='text']")
        sentence.fill("I have <b>three</b> zebras.")
        sentence.press("Enter")  # the box sends its value on Enter (continuous_update=False)
        expect(text).to_contain_text("never seen in training", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(text).to_contain_text("'zebras'")
        assert text.locator(".lmtutor-note b").count() == 0, "typed <b> must not become an element"
        expect(text).not_to_contain_text("twelve")
        src, new_digest = _redrawn(expect, image, src)
        assert new_digest != digest, "the attention map must follow the new sentence"

        # Beam width 4 -> 2 by keyboard: two hypotheses left.
        handle = explorer.locator(".widget-slider", has_text="beam width").locator(".noUi-handle")
        handle.focus()
        handle.press("ArrowLeft")
        handle.press("ArrowLeft")
        expect(text.locator(".lmtutor-beam tr")).to_have_count(1 + 2, timeout=RUN_ALL_TIMEOUT * 1000)
        expect(explorer.locator(".widget-slider", has_text="beam width").locator(".widget-readout")).to_have_text("2")
        _screenshot(page, tmp_path, image, "translation_explorer")



@pytest.mark.browser
@pytest.mark.parametrize("lab", ["12_dialogue.ipynb"], indirect=True)
def test_chat_answers_typed_questions_and_shows_markup_as_text_in_notebook_12(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        history = _wait_for_widget(page, ".lmtutor-chat-history")
        chat = _widget_output(page, ".lmtutor-chat-history")
        # the notebook's opening questions, answered by the kernel
        expect(history).to_contain_text("Notebook 08 (attention and Transformer) teaches attention.", timeout=30_000)
        expect(history).to_contain_text("below the threshold: declined")
        turns = history.locator(".lmtutor-chat-you").count()
        assert turns == 3, f"the history opens with the notebook's 3 questions, got {turns}"

        # A learner types a question wrapped in markup and presses Send: the answer comes, the markup is text.
        box, send = chat.locator(".lmtutor-chat-input input"), chat.locator("button.lmtutor-chat-send")
        box.fill("<b>How long does notebook 4 take?</b>")
        send.click()
        expect(history).to_contain_text("Notebook 04 (LSTM) ran top to bottom", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(history).to_contain_text("<b>How long does notebook 4 take?</b>")  # the tags are shown, not applied
        expect(box).to_have_value("")
        assert history.locator(".lmtutor-chat-you").count() == 4
        assert history.locator(".lmtutor-chat-you b").count() == 4, "typed <b> must not become an element"

        # A script is text too: it is shown and never runs.
        box.fill("<script>document.title = 'ran'</script>你好")
        send.click()
        expect(history).to_contain_text("<script>document.title = 'ran'</script>你好", timeout=RUN_ALL_TIMEOUT * 1000)
        assert history.locator("script").count() == 0 and page.title() != "ran"
        expect(history.locator(".lmtutor-chat-meta").last).to_contain_text("intent")
        _screenshot(page, tmp_path, history, "chat")

@pytest.mark.browser
@pytest.mark.parametrize("lab", ["11_sentiment.ipynb"], indirect=True)
def test_sentiment_explorer_answers_a_typed_review_and_shows_markup_as_text_in_notebook_11(lab, tmp_path):
    with _run_all(lab, tmp_path) as (expect, page):
        review = _wait_for_widget(page, ".lmtutor-sentiment-input input")
        output = page.locator(".lmtutor-sentiment-output").first
        expect(output).to_contain_text("P(positive) =", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(output).to_contain_text("房间很干净")  # the notebook's review, coloured token by token
        assert output.locator(".lmtutor-attribution").count() == len("房间很干净，服务也很热情，就是价格有点贵。")

        # A learner types a complaint wrapped in markup: the verdict follows, the markup is text.
        complaint = "<b>质量太差，很失望</b>"
        review.fill(complaint[:-1])
        review.press_sequentially(complaint[-1])
        review.press("Enter")  # the box sends its text on Enter (continuous_update=False), as a learner submits it
        expect(output).to_contain_text("失望", timeout=RUN_ALL_TIMEOUT * 1000)
        expect(output).not_to_contain_text("房间很干净")
        expect(output).to_contain_text("<b>")  # the tag's characters are shown as tokens, not applied
        assert output.locator(".lmtutor-highlight b").count() == 0, "typed <b> must not become an element"

        # Another explanation method redraws the panel; an empty review is an error shown in the widget.
        _widget_output(page, ".lmtutor-sentiment-input").locator("select").select_option(index=1)
        expect(output).to_contain_text("gradient × input", timeout=RUN_ALL_TIMEOUT * 1000)
        review.fill(" ")
        review.press("Enter")
        expect(output).to_contain_text("no tokens to classify", timeout=RUN_ALL_TIMEOUT * 1000)
        review.fill("房间很干净")
        review.press("Enter")
        expect(output).to_contain_text("P(positive) =", timeout=RUN_ALL_TIMEOUT * 1000)
        _screenshot(page, tmp_path, output, "sentiment_explorer")


@pytest.mark.parametrize("name", sorted(WIDGET_CALLS))
def test_browser_fixture_draws_the_widget_and_needs_no_other_cell(name):
    """The fixture holds the widget call its browser test drives, and reads no name only a left-out cell defines."""
    from conftest import read, undefined_names

    fixture = fixture_notebook(name)
    code = [c.source for c in fixture.cells if c.cell_type == "code"]
    assert any(WIDGET_CALLS[name] in source for source in code), (
        f"no cell tagged {'browser'!r} in {name} calls {WIDGET_CALLS[name]!r}: tag the widget cell")
    if name in FIXTURE_SETTINGS:  # a setting no fixture cell reads would change nothing
        from conftest import _bound_and_used

        settings, = _bound_and_used(FIXTURE_SETTINGS[name])[:1]
        read_by_cells = set().union(*(_bound_and_used(source)[1] for source in code))
        assert settings <= read_by_cells, f"no cell of the fixture reads {settings - read_by_cells}"
    missing = undefined_names(read(REPO / "notebooks" / name), fixture.cells)
    assert not missing, (f"the browser fixture of {name} needs cells it does not have; tag them 'browser': "
                         + "; ".join(f"{n} ({where})" for n, where in missing.items()))
