# Seed 000: the gradient of x**3, pretty-printed: fill(x**3, 1) * 3 * x**(3-1).
import theon.tensor as T
from theon import pp #pretty-print

x = T.dscalar('x')
y = x**3
qy = T.grad(y,x)
print(pp(qy))
