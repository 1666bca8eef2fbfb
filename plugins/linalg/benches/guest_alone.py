"""The linalg component's guest alone: its `call` export timed under Cranelift, without the
toolhost host (no schema check, no serialisation of the arguments, no output parse).

Together with `cargo bench -p tool-linalg --bench kernels` (the same work natively) and
`cargo bench -p toolhost --bench tools -- linalg` (the whole `Dispatcher::call`), this
splits a call's time into the host's share, WebAssembly's and faer's. The matrices are the
sandbox bench's (the same xorshift generator), the JSON keys in the order the host writes
them (sorted), and each call gets a fresh instance, as the host gives it. The guest's debug
log (checks and computation, output built) is printed beside each median.

    target/numerics-venv/bin/pip install --no-cache-dir wasmtime
    target/numerics-venv/bin/python plugins/linalg/benches/guest_alone.py \
        target/guests/wasm32-wasip2/plugin/tool_linalg.wasm [calls] [op ...]

wasmtime-py embeds its own wasmtime (50 when this was written; the host links 48), with
Cranelift at opt level "speed" and relaxed SIMD on, as the host configures it. The
component's core module is taken out of the component and its WASI imports are stubbed:
a tool call only reads the monotonic clock and logs.
"""

import json
import math
import re
import statistics
import struct
import sys
import time

import wasmtime as wt

N = 500
MASK = (1 << 64) - 1


def matrix(seed, symmetric):
    state, rows = seed, []
    for _ in range(N):
        row = []
        for _ in range(N):
            state ^= (state << 13) & MASK
            state ^= state >> 7
            state ^= (state << 17) & MASK
            row.append((state >> 11) / float(1 << 53) - 0.5)
        rows.append(row)
    if symmetric:
        for i in range(N):
            for j in range(i):
                rows[i][j] = rows[j][i]
    return rows


def core_module(component):
    """The largest core module a component embeds (section id 1): the tool itself."""
    data = open(component, "rb").read()
    assert data[:4] == b"\0asm", f"{component} is not WebAssembly"
    pos, modules = 8, []
    while pos < len(data):
        section = data[pos]
        pos += 1
        size = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        if section == 1:
            modules.append(data[pos : pos + size])
        pos += size
    return max(modules, key=len)


class Guest:
    def __init__(self, component):
        config = wt.Config()
        config.cranelift_opt_level = "speed"
        self.engine = wt.Engine(config)
        self.module = wt.Module(self.engine, core_module(component))
        self.logs = []

    def _stub(self, name, has_result, memory):
        def zero(caller, ptr, n):
            memory[0].write(caller, bytes(n), ptr)

        def stub(caller, *args):
            if name[1] == "log":
                _, ptr, length = args
                self.logs.append(bytes(memory[0].read(caller, ptr, ptr + length)).decode())
            elif name == ("wasi:clocks/monotonic-clock@0.2.12", "now"):
                return time.perf_counter_ns()
            elif "check-write" in name[1]:
                zero(caller, args[1], 16)
                memory[0].write(caller, struct.pack("<Q", 1 << 20), args[1] + 8)
            elif name[1].endswith("write") or "flush" in name[1]:
                zero(caller, args[-1], 16)
            elif name[1].startswith("get-std"):
                return 1
            elif "exit" in name[1]:
                raise RuntimeError("the guest exited")
            elif name[1] in ("get-environment", "now") or name[1].startswith("get-terminal"):
                zero(caller, args[0], 16)
            return 0 if has_result else None

        return stub

    def call_ms(self, text):
        """Milliseconds of one `call` on a fresh instance."""
        store, linker, memory = wt.Store(self.engine), wt.Linker(self.engine), [None]
        for imp in self.module.imports:
            ty = imp.type
            linker.define_func(
                imp.module,
                imp.name,
                ty,
                self._stub((imp.module, imp.name), bool(ty.results), memory),
                access_caller=True,
            )
        exports = linker.instantiate(store, self.module).exports(store)
        memory[0] = exports["memory"]
        exports["_initialize"](store)
        data = text.encode()
        ptr = exports["cabi_realloc"](store, 0, 0, 1, len(data))
        memory[0].write(store, data, ptr)
        start = time.perf_counter()
        ret = exports["toolhost:tool/tool@0.1.0#call"](store, ptr, len(data))
        took = time.perf_counter() - start
        assert memory[0].read(store, ret, ret + 1)[0] == 0, "the call failed"
        return took * 1e3


def main():
    guest = Guest(sys.argv[1])
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    a = matrix(0x9E3779B97F4A7C15, False)
    s = matrix(0xD1B54A32D192ED03, True)
    b = [math.sin(i) for i in range(N)]
    inputs = {
        "solve": {"a": a, "b": b, "op": "solve"},
        "eigh": {"a": s, "op": "eigh"},
        "norm": {"a": a, "op": "norm"},
        "matmul": {"a": a, "b": s, "op": "matmul"},
    }
    print(f"guest alone, {N}×{N}, median (fastest) of {calls} calls:")
    for op in sys.argv[3:] or list(inputs):
        text = json.dumps(inputs[op])
        guest.call_ms(text)
        times, inside = [], []
        for _ in range(calls):
            guest.logs.clear()
            times.append(guest.call_ms(text))
            # "checks and computation X ms, output built Y ms"
            inside.append([float(x) for x in re.findall(r"([0-9.]+) ms", " ".join(guest.logs))])
        computed = statistics.median(i[0] for i in inside)
        built = statistics.median(i[1] for i in inside)
        print(
            f"  {op:7} {statistics.median(times):7.1f} ms ({min(times):.1f})   of which, medians:"
            f" checks and computation {computed:.1f} ms, output built {built:.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
