"""theon.sandbox: Theano's theano.sandbox, for MRG_RandomStreams (sandbox.rng_mrg)."""
