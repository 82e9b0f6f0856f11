"""Theano's theano.misc: pkl_utils (pickling with values in .npy files)."""
