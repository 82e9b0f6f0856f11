"""Pictures of graphs: pydotprint (Graphviz), debugprint's Theano options, and the d3viz
page rendered in headless Chromium."""
import io
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import BUILD_PYTHON, COMPAT

import theon
import theon.tensor as T
from theon import printing

HAVE_DOT = shutil.which("dot") is not None
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed (Debian: graphviz)")


def small_graph():
    x, y = T.dvector("x"), T.dvector("y")
    z = x + y
    z.name = "z"
    return x, y, z * 2.0


def fused_function():
    x, y = T.dvector("x"), T.dvector("y")
    return theon.function([x, y], T.exp(x) * 2.0 + y, mode="FAST_RUN")


# ---- pydotprint ----

@needs_dot
def test_pydotprint_writes_a_png(tmp_path, capsys):
    f = fused_function()
    out = tmp_path / "f.png"
    assert printing.pydotprint(f, outfile=str(out)) is None
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "The output file is available at" in capsys.readouterr().out


@needs_dot
def test_pydotprint_svg_names_the_nodes(tmp_path):
    _, _, out = small_graph()
    path = tmp_path / "g.svg"
    printing.pydotprint(out, outfile=path, format="svg", print_output_file=False)
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
    for text in ("x TensorType(float64, vector)", "y TensorType(float64, vector)", "z TensorType(float64, vector)",
                 "TensorConstant{[2.]}", ">add{float64&#45;&gt;float64}<", ">mul{float64&#45;&gt;float64}<"):
        assert text in svg, text


@needs_dot
def test_pydotprint_fused_kernel_shows_its_expression():
    svg = printing.pydotprint(fused_function(), format="svg", return_image=True).decode()
    assert re.search(r">fused\{.*exp\(x\).*\}<", svg), svg


def test_pydotprint_dot_text_and_default_outfile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, _, out = small_graph()
    text = printing.pydotprint(out, format="dot", return_image=True)
    assert text.startswith("digraph G {") and "fillcolor=\"limegreen\"" in text
    printing.pydotprint(out, format="dot", print_output_file=False)
    assert (tmp_path / "theano.pydotprint.cpu.dot").read_text() == text
    with pytest.raises(ValueError, match="format"):
        printing.pydotprint(out, format="bmp2")


def test_pydotprint_without_dot_names_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    _, _, out = small_graph()
    with pytest.raises(RuntimeError, match="graphviz"):
        printing.pydotprint(out, outfile=str(tmp_path / "x.png"))


def test_theano_alias_has_pydotprint_and_d3viz():
    code = ("import theano, theano.printing, theano.d3viz as d3v, theon.printing;"
            "assert theano.printing.pydot_imported is True;"
            "assert theano.printing.pydotprint is theon.printing.pydotprint;"
            "assert callable(d3v.d3viz) and callable(d3v.d3write);"
            "print('ok')")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


# ---- debugprint options ----

def test_debugprint_theano_layout_and_options():
    _, _, out = small_graph()
    assert printing.debugprint(out, file="str") == (
        "mul{float64->float64} [id A] ''\n"
        " |add{float64->float64} [id B] 'z'\n"
        " | |x [id C]\n"
        " | |y [id D]\n"
        " |TensorConstant{[2.]} [id E]\n")
    assert printing.debugprint(out, depth=1, file="str") == "mul{float64->float64} [id A] ''\n"
    assert printing.debugprint(out, ids="", stop_on_name=True, file="str") == (
        "mul{float64->float64} ''\n |add{float64->float64} 'z'\n |TensorConstant{[2.]}\n")
    typed = printing.debugprint(out, print_type=True, ids="int", file="str")
    assert typed.splitlines()[2] == " | |x [id 2] <TensorType(float64, vector)>"
    with_ids = printing.debugprint(out, ids="id", file="str")
    assert re.match(r"mul\{float64->float64\} \[id 0x[0-9a-f]+\] ''", with_ids), with_ids


def test_debugprint_writes_to_a_file_and_shows_toposort_index():
    x = T.dvector("x")
    e = T.exp(x)
    f = theon.function([x], e * e, mode="NONE")
    buffer = io.StringIO()
    assert printing.debugprint(f, file=buffer) is buffer
    assert buffer.getvalue() == (
        "mul{float64->float64} [id A] ''   1\n"
        " |exp{float64->float64} [id B] ''   0\n"
        " | |x [id C]\n"
        " |exp{float64->float64} [id B] ''   0\n")
    with pytest.raises(ValueError, match="ids"):
        printing.debugprint(f, ids="letters", file="str")


# ---- d3viz ----

def run_chromium(*args):
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian: chromium)")
    if not HAVE_DOT:
        pytest.skip("Graphviz's dot is not installed (Debian: graphviz)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_d3viz_page_is_self_contained_and_runs_in_chromium(tmp_path):
    from theon.d3viz import d3viz
    f = fused_function()
    page = tmp_path / "graph.html"
    assert d3viz(f, str(page)) == str(page)
    html = page.read_text()
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing fetched
    assert "https://" not in html and "<script src" not in html
    n_nodes = html.split('<div id="theon-templates"')[0].count('class="node')
    assert n_nodes >= 4  # x, y, the fused kernel, the output
    result = run_chromium("--virtual-time-budget=2000", "--dump-dom", page.as_uri() + "#expand-fused")
    dom = result.stdout
    assert 'data-theon-ready="1"' in dom, result.stderr[-2000:]
    # One element per graph node, each wired by the script.
    assert dom.count('data-node-id="') == n_nodes
    assert f'data-theon-nodes="{n_nodes}"' in dom and 'data-theon-fused="1"' in dom
    assert re.search(r'data-details="op: fused', dom)
    # The fused kernel, expanded: a panel with its inner expression (exp, mul, add).
    assert dom.count('class="theon-inner"') == 1
    panel = dom[dom.index('class="theon-inner"'):]
    assert all(f">{op}<" in panel for op in ("exp", "mul", "add")), panel[:3000]


def test_d3viz_screenshot_is_not_blank(tmp_path):
    from theon.d3viz import d3viz
    page = tmp_path / "graph.html"
    d3viz(fused_function(), str(page))
    shot = tmp_path / "shot.png"
    run_chromium(f"--screenshot={shot}", "--window-size=1200,800", page.as_uri())
    assert shot.exists(), "chromium wrote no screenshot"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    colors = distinct_colors(data)
    assert len(colors) > 8, colors  # a drawing, not one flat colour


def distinct_colors(png):
    """Distinct RGB colours of a PNG (a sample of its pixels): with Pillow when it is
    installed, else decoded here with zlib (slower)."""
    try:
        from PIL import Image
        image = Image.open(io.BytesIO(png)).convert("RGB")
        return set(image.getdata()[i] for i in range(0, image.width * image.height, 97))
    except ImportError:
        pass
    import struct
    import zlib
    pos, idat, width, height, colour, depth = 8, b"", 0, 0, 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    seen = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if row % 8 == 0:
            for i in range(0, stride, bpp * 4):
                seen.add(bytes(line[i:i + 3]))
        previous = line
    return seen


def test_wrong_objects_name_the_function():
    with pytest.raises(TypeError, match="pydotprint: expected a compiled function"):
        printing.pydotprint(42, format="dot", return_image=True)
    with pytest.raises(TypeError, match="debugprint: expected"):
        printing.debugprint("x", file="str")


@needs_dot
def test_pydot_formatter_writes_like_pydot(tmp_path):
    from theon.d3viz.formatting import PyDotFormatter
    graph = PyDotFormatter()(fused_function())
    graph.write_png(str(tmp_path / "f.png"))
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert graph.create_svg().lstrip().startswith(b"<?xml")
    graph.write(str(tmp_path / "f.dot"))
    assert (tmp_path / "f.dot").read_text() == graph.to_string()
