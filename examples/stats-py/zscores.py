# z = (x - mean) / sd for each value of ARGS["data"], with stats giving mean and sd and
# calc evaluating the batch; values with |z| above ARGS["threshold"] are flagged.
data = ARGS["data"]
threshold = ARGS.get("threshold", 2.0)
s = stats(data=data)
if s.get("stdev") is None or s["stdev"] == 0.0:
    raise ValueError("the sample needs two different values")
z = calc(expr="(x - m) / s", vars={"x": data, "m": s["mean"], "s": s["stdev"]})
zs = z["values"]
flagged = [x for x, zi in zip(data, zs) if abs(zi) > threshold]
{"mean": s["mean"], "sd": s["stdev"], "z": zs, "flagged": flagged}
