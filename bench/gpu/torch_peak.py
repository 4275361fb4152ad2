# The device's float32 matmul rate through PyTorch (TF32 off), at the shapes check.ts uses:
# the yardstick for the gpu.js kernels' GFLOP/s. Prints one JSON object.
import json
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
rows = []
for m, k, n in [(64, 784, 1024), (64, 1024, 1024), (1024, 1024, 1024), (8192, 8192, 8192)]:
    a = torch.randn(m, k, device="cuda")
    b = torch.randn(k, n, device="cuda")
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    torch.cuda.synchronize()
    dt = (time.perf_counter() - t0) / reps
    rows.append({"shape": f"{m}x{k}x{n}", "ms": dt * 1e3, "gflops": 2 * m * n * k / dt / 1e9})
print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "fp32_no_tf32": rows}, indent=2))
