import Engine
import Testing

@Suite("Prompt tokenizer")
struct PromptTokenizerTests {
    let tokenizer = PromptTokenizer(words: ["smiling", "warm", "light", "eyes", "closed", "Warm", "t-shirt"], maxLength: 6)

    @Test("known words map to their ids in vocabulary order; case and punctuation are folded")
    func knownWords() {
        #expect(tokenizer.words == ["smiling", "warm", "light", "eyes", "closed", "t-shirt"])
        #expect(tokenizer.vocabularySize == 9)
        let t = tokenizer.tokenize("Smiling, WARM light!")
        #expect(t.ids == [2, 3, 4, 5, 0, 0])
        #expect(t.mask == [1, 1, 1, 1, 0, 0])
        #expect(t.unknownWords.isEmpty && t.truncated.isEmpty)
        #expect(tokenizer.tokenize("t-shirt").ids == [2, 8, 0, 0, 0, 0])
    }

    @Test("unknown words are reported with their offsets, never dropped")
    func unknownWords() {
        let t = tokenizer.tokenize("smiling, purple hat")
        #expect(t.ids == [2, 3, 1, 1, 0, 0])
        #expect(t.unknownWords.map(\.word) == ["purple", "hat"])
        #expect(t.unknownWords.map(\.offset) == [9, 16])
    }

    @Test("long prompts are truncated and the cut words reported")
    func truncation() {
        let t = tokenizer.tokenize("warm warm warm warm warm eyes closed")
        #expect(t.ids == [2, 4, 4, 4, 4, 4])
        #expect(t.truncated == ["eyes", "closed"])
    }

    @Test("an empty prompt is the start token alone; a lone dash is not a word")
    func emptyPrompt() {
        #expect(tokenizer.tokenize("").ids == [2, 0, 0, 0, 0, 0])
        #expect(tokenizer.tokenize(" - , ' ").ids == [2, 0, 0, 0, 0, 0])
        #expect(tokenizer.tokenize("").mask == [1, 0, 0, 0, 0, 0])
    }
}
