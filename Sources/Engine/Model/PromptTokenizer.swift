/// Turns a prompt into token ids over the model's word vocabulary (stored in the checkpoint's configuration).
///
/// Words are lower-cased runs of letters, digits, `-` and `'`; commas and other punctuation separate words and are
/// not tokens. A word outside the vocabulary is never dropped silently: it is returned in `unknownWords` (with its
/// position) so the caller can report it, and it maps to the `unknown` id.
public struct PromptTokenizer: Sendable, Equatable {
    /// Id of padding (also the "no prompt" sequence used by guidance).
    public static let padID = 0
    /// Id of a word outside the vocabulary.
    public static let unknownID = 1
    /// Id that starts every sequence, so even an empty prompt has one token to attend to.
    public static let startID = 2
    /// Ids below this are reserved for the special tokens above.
    public static let firstWordID = 3

    /// The vocabulary's words, in id order starting at `firstWordID`.
    public let words: [String]
    /// Tokens per sequence, including the start token; longer prompts are truncated (reported by `truncated`).
    public let maxLength: Int
    private let ids: [String: Int]

    /// A tokenizer over `words` (duplicates and case are folded; order fixes the ids).
    public init(words: [String], maxLength: Int = 16) {
        precondition(maxLength >= 1, "PromptTokenizer: maxLength must be at least 1")
        var seen = Set<String>()
        var unique: [String] = []
        for word in words.map({ $0.lowercased() }) where !word.isEmpty && seen.insert(word).inserted {
            unique.append(word)
        }
        self.words = unique
        self.maxLength = maxLength
        var ids: [String: Int] = [:]
        for (i, word) in unique.enumerated() { ids[word] = i + Self.firstWordID }
        self.ids = ids
    }

    /// Number of distinct ids (special tokens included): the embedding table's row count.
    public var vocabularySize: Int { words.count + Self.firstWordID }

    /// The result of tokenizing one prompt.
    public struct Tokens: Sendable, Equatable {
        /// `maxLength` ids: start, words, then padding.
        public var ids: [Int]
        /// 1 for real tokens, 0 for padding (the attention mask).
        public var mask: [Float]
        /// Words not in the vocabulary, with their character offset in the prompt.
        public var unknownWords: [(word: String, offset: Int)]
        /// Words cut off because the prompt was longer than `maxLength - 1` words.
        public var truncated: [String]

        public static func == (a: Tokens, b: Tokens) -> Bool {
            a.ids == b.ids && a.mask == b.mask && a.truncated == b.truncated
                && a.unknownWords.map(\.word) == b.unknownWords.map(\.word)
                && a.unknownWords.map(\.offset) == b.unknownWords.map(\.offset)
        }
    }

    /// Splits a prompt into lower-cased words with their character offsets.
    public static func words(in prompt: String) -> [(word: String, offset: Int)] {
        var result: [(String, Int)] = []
        var current = ""
        var start = 0
        for (offset, ch) in prompt.enumerated() {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "'" {
                if current.isEmpty { start = offset }
                current.append(contentsOf: ch.lowercased())
            } else if !current.isEmpty {
                result.append((current, start))
                current = ""
            }
        }
        if !current.isEmpty { result.append((current, start)) }
        // A lone "-" or "'" is punctuation, not a word.
        return result.filter { $0.0.contains(where: { $0.isLetter || $0.isNumber }) }
    }

    /// Tokenizes one prompt.
    public func tokenize(_ prompt: String) -> Tokens {
        var ids = [Self.startID]
        var unknown: [(word: String, offset: Int)] = []
        var truncated: [String] = []
        for (word, offset) in Self.words(in: prompt) {
            let id = self.ids[word] ?? Self.unknownID
            if id == Self.unknownID { unknown.append((word, offset)) }
            if ids.count < maxLength { ids.append(id) } else { truncated.append(word) }
        }
        let real = ids.count
        ids += Array(repeating: Self.padID, count: maxLength - real)
        let mask = (0..<maxLength).map { $0 < real ? Float(1) : 0 }
        return Tokens(ids: ids, mask: mask, unknownWords: unknown, truncated: truncated)
    }
}
