# scan: a polynomial from its coefficient vector, sum_i c[i] * x**i (Theano's tutorial).
import numpy as np
import theon as theano
import theon.tensor as T

coefficients = T.vector("coefficients")
x = T.scalar("x")
max_coefficients_supported = 10000

# One term per step; the shorter sequence (the coefficients) sets the number of steps.
components, updates = theano.scan(fn=lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
                                  outputs_info=None,
                                  sequences=[coefficients, T.arange(max_coefficients_supported)],
                                  non_sequences=x)
polynomial = components.sum()
calculate_polynomial = theano.function(inputs=[coefficients, x], outputs=polynomial)

test_coefficients = np.asarray([1, 0, 2], dtype=np.float64)
test_value = 3
print(calculate_polynomial(test_coefficients, test_value))
print(1.0 * (3 ** 0) + 0.0 * (3 ** 1) + 2.0 * (3 ** 2))
