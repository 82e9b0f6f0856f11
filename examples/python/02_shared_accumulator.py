# Seed 000, "Theano variable types": a shared variable updated by each call; the
# output is the square of the value before the update.
import theon.tensor as T
from theon import function
from theon import shared

x = T.iscalar('x')
sh = shared(0)
f = function([x], sh**2, updates=[(sh,sh+x)])

print(f(1))
print(f(2))
print(f(3))
print(sh.get_value())
