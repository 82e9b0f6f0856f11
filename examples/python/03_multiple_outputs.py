# Seed 000, "Return multiple values": the square and the cube in one call.
import theon.tensor as T
from theon import function

a = T.dscalar('a')
f = function([a],[a**2, a**3])
print(f(3))
