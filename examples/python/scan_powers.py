# scan: A**k by repeated multiplication (Theano's scan tutorial).
import numpy as np
import theon as theano
import theon.tensor as T

k = T.iscalar("k")
A = T.vector("A")

result, updates = theano.scan(fn=lambda prior_result, A: prior_result * A,
                              outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
# Only the last power is read: the loop keeps one row in memory, not k.
power = theano.function(inputs=[A, k], outputs=result[-1], updates=updates)
print(power(np.arange(10, dtype=theano.config.floatX), 2))
