"""theon.tensor.signal: Theano's signal-processing modules (pool, downsample)."""
