/// Dancers: procedural human-motion dataset (issue 6).
public enum DancersModule { public static let name = "Dancers" }
