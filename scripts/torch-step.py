"""PyTorch's time per training step of the benchmark models, for the ratio
beside `ibp bench --backend gpu` on the same GPU (BENCHMARKS.md).

The step is the VIB objective of this project (encoder, mu and rho heads,
reparameterised z, linear decoder, cross-entropy + beta KL) with Adam, FP32
with TF32 off, eager mode and default (foreach) Adam. Prints one JSON line
per model: {"model", "device", "ms_per_step"}.
Usage: python3 scripts/torch-step.py [STEPS]
"""
import json
import sys
import time

import torch

MODELS = {
    "(a) 784-1024-1024-512, batch 100": ([784, 1024, 1024], 256, 10, 100),
    "(b) 2-16-16-2, batch 64": ([2, 16, 16], 2, 2, 64),
    "(c) 12-10-7-5-4-3-2, batch 256": ([12, 10, 7, 5, 4, 3], 2, 2, 256),
}


def model(widths, k, classes):
    layers = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    encoder = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 2 * k))
    return encoder, torch.nn.Linear(k, classes)


def ms_per_step(widths, k, classes, batch, steps, device):
    encoder, decoder = (m.to(device) for m in model(widths, k, classes))
    params = list(encoder.parameters()) + list(decoder.parameters())
    adam = torch.optim.Adam(params, lr=1e-4, betas=(0.5, 0.999))
    x = torch.randn(batch, widths[0], device=device)
    y = torch.randint(0, classes, (batch,), device=device)

    def step():
        mu, rho = encoder(x).chunk(2, dim=1)
        sigma = torch.nn.functional.softplus(rho - 5.0)
        z = mu + sigma * torch.randn_like(sigma)
        ce = torch.nn.functional.cross_entropy(decoder(z), y)
        kl = 0.5 * (mu**2 + sigma**2 - 1.0 - 2.0 * torch.log(sigma)).sum(1).mean()
        loss = ce + 1e-3 * kl
        adam.zero_grad(set_to_none=True)
        loss.backward()
        adam.step()

    for _ in range(20):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return 1000.0 * (time.perf_counter() - start) / steps


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")
    name = torch.cuda.get_device_name(0)
    for label, (widths, k, classes, batch) in MODELS.items():
        ms = ms_per_step(widths, k, classes, batch, steps, device)
        print(json.dumps({"model": label, "device": name, "ms_per_step": round(ms, 4)}))


if __name__ == "__main__":
    main()
