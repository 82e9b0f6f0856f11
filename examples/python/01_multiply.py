# Seed 000, "Implementing simple expressions": multiplying two numbers.
import numpy as np
import theon.tensor as T
from theon import function

a = T.dscalar('a')
b = T.dscalar('b')

c = a*b
f = function([a,b],c)

print(f(1.5,3))
