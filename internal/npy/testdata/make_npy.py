# Writes the .npy files that TestReadNPYNumPyFiles reads, with NumPy itself
# (run with: python3 make_npy.py, NumPy 1.24).
import numpy as np

np.save("numpy_f64_c.npy", np.arange(12, dtype="<f8").reshape(3, 4) / 8)
np.save("numpy_f32_fortran.npy", np.asfortranarray(np.arange(12, dtype="<f4").reshape(3, 4) / 8))
np.save("numpy_f64_1d.npy", np.arange(5, dtype="<f8") / 8)
