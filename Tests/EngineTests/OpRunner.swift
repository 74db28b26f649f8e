import Engine
import Foundation

/// Runs one fixture case of `tools/torch/make_op_fixtures.py` through the engine: the same operation on the same
/// inputs, composed the way the PyTorch script composes it.
enum OpRunner {
    static func int(_ p: [String: Any], _ k: String) -> Int { (p[k] as? NSNumber)?.intValue ?? 0 }

    static func run(op: String, params p: [String: Any], inputs x: [String: Tensor]) -> Tensor {
        switch op {
        case "linear": return linear(x["x"]!, x["w"]!, x["b"])
        case "conv2d":
            let s = int(p, "stride"), pad = int(p, "padding")
            return conv2d(x["x"]!, x["w"]!, x["b"], stride: (s, s), padding: (pad, pad))
        case "group_norm": return groupNorm(x["x"]!, groups: int(p, "groups"), weight: x["w"], bias: x["b"])
        case "layer_norm": return layerNorm(x["x"]!, weight: x["w"], bias: x["b"])
        case "silu": return x["x"]!.silu()
        case "gelu": return x["x"]!.gelu()
        case "sigmoid": return x["x"]!.sigmoid()
        case "softmax": return x["x"]!.softmax()
        case "attention": return attention(x["q"]!, x["k"]!, x["v"]!, heads: int(p, "heads"))
        case "attn_spatial": return attention(x["x"]!, x["x"]!, x["x"]!, heads: int(p, "heads"))
        case "attn_reference":
            let kv = Tensor.concat([x["x"]!, x["ref"]!.repeatedInterleaved(int(p, "frames"))], axis: 1)
            return attention(x["x"]!, kv, kv, heads: int(p, "heads"))
        case "attn_cross":
            let kv = x["tokens"]!.repeatedInterleaved(int(p, "frames"))
            return attention(x["x"]!, kv, kv, heads: int(p, "heads"))
        case "attn_temporal":
            let c = x["x"]!
            let (n, f, ch, h, w) = (c.shape[0], c.shape[1], c.shape[2], c.shape[3], c.shape[4])
            let tok = c.permuted([0, 3, 4, 1, 2]).reshaped([n * h * w, f, ch])
            let o = attention(tok, tok, tok, heads: int(p, "heads"))
            return o.reshaped([n, h, w, f, ch]).permuted([0, 3, 4, 1, 2])
        case "upsample": return upsampleNearest(x["x"]!, factor: int(p, "factor"))
        case "avg_pool": return averagePool(x["x"]!, factor: int(p, "factor"))
        case "timestep_embedding":
            return timestepEmbedding(x["t"]!, dim: int(p, "dim"), flipSinToCos: (p["flip"] as? Bool) ?? true,
                                     downscaleFreqShift: (p["shift"] as? NSNumber)?.floatValue ?? 0)
        case "add": return x["a"]! + x["b"]!
        case "sub": return x["a"]! - x["b"]!
        case "mul": return x["a"]! * x["b"]!
        case "concat":
            let parts = (0..<x.count).map { x["x\($0)"]! }
            return Tensor.concat(parts, axis: int(p, "axis"))
        case "split":
            let sizes = (p["sizes"] as? [NSNumber] ?? []).map(\.intValue)
            let pieces = x["x"]!.split(sizes, axis: int(p, "axis"))
            return Tensor.concat(pieces.enumerated().map { $0.element * Float($0.offset + 1) }, axis: int(p, "axis"))
        case "permute": return x["x"]!.permuted((p["dims"] as? [NSNumber] ?? []).map(\.intValue))
        case "reshape": return x["x"]!.reshaped((p["shape"] as? [NSNumber] ?? []).map(\.intValue)) * 2
        case "sum_axis": return x["x"]!.sum(axis: int(p, "axis"))
        case "mean_axis": return x["x"]!.mean(axis: int(p, "axis"))
        case "sum": return x["x"]!.sum()
        case "mean": return x["x"]!.mean()
        case "mse": return mseLoss(x["a"]!, x["b"]!)
        case "masked_mean": return maskedMean(x["x"]!, mask: x["mask"]!)
        case "neg_cosine": return negativeCosineSimilarity(x["a"]!, x["b"]!)
        default: fatalError("OpRunner: unknown op \(op)")
        }
    }
}
