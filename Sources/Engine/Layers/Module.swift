/// A node of the model tree: named parameters and named child modules, giving dotted checkpoint keys
/// (`down.0.res.1.norm1.weight`).
///
/// Subclasses register what they own in their initialiser (`weight = register("weight", ...)`,
/// `norm1 = register("norm1", GroupNormLayer(...))`); a layer without parameters needs no registration.
open class Module {
    /// This module's own parameters, in registration order.
    public private(set) var ownParameters: [(name: String, tensor: Tensor)] = []
    /// Child modules, in registration order.
    public private(set) var children: [(name: String, module: Module)] = []

    /// An empty module.
    public init() {}

    /// Registers `tensor` as parameter `name` and returns it.
    @discardableResult
    public func register(_ name: String, _ tensor: Tensor) -> Tensor {
        precondition(!ownParameters.contains { $0.name == name } && !children.contains { $0.name == name },
                     "Module: \(name) registered twice")
        ownParameters.append((name, tensor))
        return tensor
    }

    /// Registers `module` as child `name` and returns it.
    @discardableResult
    public func register<M: Module>(_ name: String, _ module: M) -> M {
        precondition(!ownParameters.contains { $0.name == name } && !children.contains { $0.name == name },
                     "Module: \(name) registered twice")
        children.append((name, module))
        return module
    }

    /// Every parameter in the tree with its dotted name, depth first in registration order.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var out = ownParameters.map { (prefix + $0.name, $0.tensor) }
        for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// Every parameter tensor in the tree.
    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Copies weights from `file` into the parameters (same tensors, so optimisers keep their references).
    /// Every parameter must be present with the same shape; tensors the model does not have are an error too.
    public func load(from file: SafetensorsFile) throws(SafetensorsError) {
        let named = namedParameters()
        let known = Set(named.map(\.name))
        if let extra = file.entries.first(where: { !known.contains($0.name) }) {
            throw SafetensorsError(path: file.path, message: "tensor \"\(extra.name)\" is not a parameter of this model (wrong configuration?)")
        }
        for (name, t) in named {
            guard let e = file.entry(name) else {
                throw SafetensorsError(path: file.path, message: "missing parameter \"\(name)\" (shape \(t.shape))")
            }
            guard e.shape == t.shape else {
                throw SafetensorsError(path: file.path, message: "parameter \"\(name)\" has shape \(e.shape), the model expects \(t.shape)")
            }
            let loaded = try file.tensor(name)
            t.data.update(from: loaded.data, count: t.count)
        }
    }

    /// Writes every parameter to `path` (atomically) in `dtype`, with `metadata` (e.g. `zoetrope.config`).
    public func save(to path: String, dtype: SafetensorsDType = .f32, metadata: [(key: String, value: String)] = []) throws(SafetensorsError) {
        try SafetensorsWriter.write(namedParameters().map { .init(name: $0.name, tensor: $0.tensor, dtype: dtype) },
                                    metadata: metadata, to: path)
    }
}
