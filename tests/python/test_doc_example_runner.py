"""scripts/check_theano_doc_examples.py: extraction of examples from a reST page and the
comparison rules, on a sample page of our own (Theano's pages are not in the repository)."""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "check_theano_doc_examples.py")

spec = importlib.util.spec_from_file_location("check_theano_doc_examples", SCRIPT)
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)

PAGE = textwrap.dedent("""\
    A title
    =======

    >>> a = 2 + 3
    >>> a
    5

    .. testsetup:: grp

       base = 10

    .. testcode:: grp

       print(base + 1)

    .. testoutput:: grp

       11

    .. code-block:: python

       >>> this_is_not_an_example()

    >>> import theano.gpuarray
    >>> skipped()  # doctest: +SKIP
    nothing

    .. doctest::
       :options: +SKIP

       >>> also_skipped()

    >>> undefined_name + 1
    2
    >>> b = undefined_name
    >>> b
    3
    >>> print([1.0, 2.5])
    [ 1.,  2.5]
    """)


def test_extraction_finds_doctest_testcode_and_setup():
    examples = runner.extract(PAGE)
    kinds = [(e.kind, e.group) for e in examples]
    assert kinds == [("doctest", "default"), ("doctest", "default"), ("setup", "grp"),
                     ("testcode", "grp"), ("doctest", "default"), ("doctest", "default"),
                     ("doctest", "default"), ("doctest", "default"), ("doctest", "default"),
                     ("doctest", "default"), ("doctest", "default")]
    code = examples[3]
    assert code.source == "print(base + 1)\n" and code.want == "11\n"
    assert examples[1].want == "5\n" and examples[1].lineno == 5
    reasons = [e.skip_reason for e in examples]
    assert reasons[4] == "needs a GPU"
    assert reasons[5] == reasons[6] == "doctest +SKIP"
    assert not any("this_is_not_an_example" in e.source for e in examples)


def test_numbers_compare_as_numbers_and_nothing_else():
    assert runner.numbers_match("array(5.0)\n", "array(5.)\n")
    assert runner.numbers_match("array(188.40000000000001)\n", "array(188.4)\n")
    assert runner.numbers_match("[ 1.  2.  3.]\n", "[1. 2. 3.]\n")
    assert runner.numbers_match("array([[ 0.5       ,  0.73105858]])\n",
                                "array([[0.5       , 0.73105858]])\n")
    assert runner.numbers_match("value: ...\n0.0\n", "value: [1 2\n 3]\n0.0\n")
    assert runner.numbers_match("1.0\n", "np.float64(1.0)\n")
    assert not runner.numbers_match("array(5.0)\n", "array(5.1)\n")
    assert not runner.numbers_match("array(5.0)\n", "matrix(5.0)\n")
    assert not runner.numbers_match("[1, 2]\n", "[1, 2, 3]\n")
    assert not runner.numbers_match("float64\n", "float32\n")
    assert runner.numbers_match("nan\n", "nan\n")
    assert not runner.numbers_match("inf\n", "-inf\n")


def test_page_run_counts_and_root_cause(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    out = tmp_path / "result.json"
    # The sample page needs no theano: run it in this interpreter's environment.
    subprocess.run([sys.executable, SCRIPT, "--one", str(page), "--one-out", str(out)],
                   check=True, cwd=str(tmp_path))
    result = json.loads(out.read_text())
    status = [e["status"] for e in result["examples"]]
    assert status == ["passed", "passed", "passed", "skipped", "skipped", "skipped",
                      "failed", "failed", "failed", "passed"]
    first, second, third = result["examples"][6:9]
    assert "NameError" in first["detail"] and first["root"] is None
    assert second["root"] == first["lineno"]     # b = undefined_name: same cause
    assert third["root"] == first["lineno"]      # b was never defined, since the first


def test_rest_comments_hold_no_examples():
    page = ".. note:\n\n   >>> in_a_comment()\n\n.. note::\n\n   >>> in_a_note = 1\n"
    examples = runner.extract(page)
    assert [e.source for e in examples] == ["in_a_note = 1\n"]


def test_an_exception_subclass_passes_for_its_base():
    class ShapeError(ValueError):
        pass
    sys.modules[__name__].ShapeError = ShapeError
    assert runner.exception_is_a("ValueError: Input dimension mis-match\n",
                                 "%s.ShapeError: add: dimension 0 ...\n" % __name__)
    assert not runner.exception_is_a("TypeError: x\n", "%s.ShapeError: y\n" % __name__)
    assert not runner.exception_is_a("x\n", "y\n")


def test_setup_for_every_group_and_line_numbers_after_a_comment(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(textwrap.dedent("""\
        .. testsetup:: *

           shared = 7

        .. a comment

        >>> shared
        7

        .. testcode:: other

           print(shared * 2)

        .. testoutput:: other

           14
        """))
    examples = runner.extract(page.read_text())
    assert [(e.kind, e.group, e.lineno) for e in examples] == [
        ("setup", "*", 3), ("doctest", "default", 7), ("testcode", "other", 12)]
    out = tmp_path / "result.json"
    subprocess.run([sys.executable, SCRIPT, "--one", str(page), "--one-out", str(out)],
                   check=True, cwd=str(tmp_path))
    result = json.loads(out.read_text())
    assert [e["status"] for e in result["examples"]] == ["passed", "passed"]
    assert result["setup_failures"] == []
