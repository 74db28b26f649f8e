/// Media: image and clip files (issue 2).
public enum MediaModule { public static let name = "Media" }
