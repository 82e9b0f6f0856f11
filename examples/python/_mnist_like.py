"""A synthetic, MNIST-shaped dataset for the convolutional examples: 28x28 grey images
of 10 classes, learnable but not trivially so, made without any download.

Each class is a "glyph": a few thick strokes drawn between random points of the central
20x20 area (MNIST's digits are centred the same way). A sample is its class's glyph
shifted by up to `max_shift` pixels each way, with strokes of random thickness and
pixel noise, so that a classifier must be shift-tolerant (what convolution and pooling
give) rather than memorize pixels.
"""
import numpy as np

SIDE = 28
N_CLASSES = 10


def _glyph(rng, n_strokes=3):
    """Control points of a few strokes inside the central 20x20 area, as (start, end) pairs."""
    return [(rng.uniform(6, 22, size=2), rng.uniform(6, 22, size=2)) for _ in range(n_strokes)]


def _draw(strokes, shift, thickness):
    """The glyph rendered at `shift`: each pixel's intensity falls off with its distance
    to the nearest stroke (a segment), so strokes are smooth, anti-aliased lines."""
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    points = np.stack([rows - shift[0], cols - shift[1]], axis=-1)
    nearest = np.full((SIDE, SIDE), np.inf)
    for start, end in strokes:
        direction = end - start
        t = np.clip(((points - start) @ direction) / max(direction @ direction, 1e-9), 0, 1)
        closest = start + t[..., None] * direction
        nearest = np.minimum(nearest, np.linalg.norm(points - closest, axis=-1))
    return np.exp(-(nearest / thickness) ** 2)


def make_dataset(n, seed=1234, max_shift=3, noise=0.25, glyph_seed=7):
    """(images, labels): `n` images of shape (n, 1, 28, 28) in [0, 1] (float32) and their
    int32 labels. The glyphs depend only on `glyph_seed`, so training, validation and test
    sets made with different `seed`s share their classes."""
    glyphs = [_glyph(np.random.RandomState(glyph_seed * 100 + c)) for c in range(N_CLASSES)]
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, N_CLASSES, size=n).astype(np.int32)
    images = np.empty((n, 1, SIDE, SIDE), dtype=np.float32)
    for i, label in enumerate(labels):
        shift = rng.randint(-max_shift, max_shift + 1, size=2)
        image = _draw(glyphs[label], shift, thickness=rng.uniform(1.2, 2.2))
        image += noise * rng.normal(size=image.shape)
        images[i, 0] = np.clip(image, 0, 1)
    return images, labels
