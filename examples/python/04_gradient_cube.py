# Seed 000, "Computing gradients": d(x**3)/dx at x = 4 is 48.
import theon.tensor as T
from theon import function

x = T.dscalar('x')
y = x**3
qy = T.grad(y,x)
f = function([x],qy)
print(f(4))
