/// Preview: pictures to terminal bytes (issue 3).
public enum PreviewModule { public static let name = "Preview" }
