"""theon.scan and friends: symbolic loops with Theano's signatures.

    import theon, theon.tensor as T
    x = T.dvector('x')
    (sums, updates) = theon.scan(lambda x_t, acc: acc + x_t, sequences=x,
                                 outputs_info=T.constant(0.0))
    f = theon.function([x], sums, updates=updates)

The loop itself (building the body, running it, its gradient and rewrites) is the C++
core's scan; this module only normalizes the arguments and the step function's
return value as Theano accepts them.
"""
from collections import OrderedDict

from . import _theon


class OrderedUpdates(OrderedDict):
    """The updates scan returns: shared variable -> new value, in order."""


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _is_update_pairs(x):
    if isinstance(x, dict):
        return True
    if not isinstance(x, (list, tuple)):
        return False
    return all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], _theon.SharedVariable)
               for p in x)


def _split_step_result(ret):
    """Theano's step functions return outputs, updates, or both (in either order)."""
    if isinstance(ret, dict):
        return [], list(ret.items())
    if isinstance(ret, (list, tuple)) and len(ret) == 2:
        first, second = ret
        if _is_update_pairs(second) and not _is_update_pairs(first):
            return _as_list(first), _pairs(second)
        if _is_update_pairs(first) and not _is_update_pairs(second):
            return _as_list(second), _pairs(first)
    if isinstance(ret, (list, tuple)) and ret and _is_update_pairs(ret):
        return [], _pairs(ret)
    return _as_list(ret), []


def _pairs(x):
    return list(x.items()) if isinstance(x, dict) else [tuple(p) for p in x]


def _sequence(s):
    if isinstance(s, dict):
        if "input" not in s:
            raise ValueError("scan: a sequence given as a dict needs an 'input' entry")
        return (s["input"], list(s.get("taps", [0])))
    return (s, [0])


def _output_info(o):
    if o is None:
        return (None, [])
    if isinstance(o, dict):
        initial = o.get("initial")
        if initial is None:
            if o.get("taps"):
                raise ValueError("scan: outputs_info with taps needs an 'initial' value")
            return (None, [])
        return (initial, list(o.get("taps", [-1])))
    return (o, [-1])


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         truncate_gradient=-1, go_backwards=False, mode=None, name=None, profile=False,
         allow_gc=None, strict=False, return_list=False):
    """Theano's scan: returns (outputs, updates). outputs is one variable when the step
    has one output (unless return_list), else a list; each is stacked along a new first
    axis of length n_steps. updates holds the shared-variable updates the step returned
    (pass them to function)."""
    seqs = [_sequence(s) for s in _as_list(sequences)]
    infos = [_output_info(o) for o in _as_list(outputs_info)]
    non_seqs = _as_list(non_sequences)
    targets = []

    def step(args):
        ret = fn(*args)
        outputs, updates = _split_step_result(ret)
        del targets[:]
        targets.extend(target for target, _ in updates)
        return (outputs, updates)

    outputs, updates = _theon._scan(step, seqs, infos, non_seqs, n_steps, bool(go_backwards),
                                    int(truncate_gradient), name)
    ordered = OrderedUpdates()
    # The keys are the caller's own shared variable objects; the updates past those the
    # step returned are the default updates of shared variables the step read (random
    # states), keyed by the core's variables.
    for i, (variable, value) in enumerate(updates):
        ordered[targets[i] if i < len(targets) else variable] = value
    if len(outputs) == 1 and not return_list:
        outputs = outputs[0]
    return outputs, ordered


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False, mode=None,
        name=None):
    """fn applied to every element of the sequences: scan without recurrent outputs."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None, name=None):
    """A scan that returns only the last value of each output: (results, updates)."""
    outputs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info,
                            non_sequences=non_sequences, go_backwards=go_backwards, mode=mode,
                            name=name, return_list=True)
    last = [o[-1] for o in outputs]
    return (last[0] if len(last) == 1 else last), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the first element to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the last element to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name)


__all__ = ["scan", "map", "reduce", "foldl", "foldr", "OrderedUpdates"]
