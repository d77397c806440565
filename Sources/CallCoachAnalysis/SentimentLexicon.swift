/// The word lists behind lexicon sentiment: polar words, negators and intensifiers.
///
/// Words are matched as whole tokens (see ``Tokenizer``), so each inflection is listed. Words whose
/// polarity depends on context in calls (`sorry`, `refund`, `like`, `fine`, `sure`) are left out.
enum SentimentLexicon {
    static let positive: Set<String> = [
        "thank", "thanks", "thanked", "thankful", "thanking", "thankyou", "appreciate", "appreciated", "appreciates",
        "appreciation", "appreciative", "grateful", "gratitude", "great", "greatly", "good", "excellent", "amazing",
        "amazingly", "awesome", "wonderful", "wonderfully", "fantastic", "perfect", "perfectly", "helpful",
        "helped", "happy", "happily", "glad", "gladly", "pleased", "pleasure", "pleasant", "pleasantly", "love",
        "loved", "loving", "lovely", "nice", "nicely", "best", "better", "brilliant", "outstanding", "superb",
        "terrific", "fabulous", "friendly", "kind", "kindly", "kindness", "patient", "patience", "polite",
        "politely", "professional", "quick", "quickly", "fast", "easy", "easily", "easier", "simple", "smooth",
        "smoothly", "resolved", "resolve", "resolves", "solved", "solves", "solution", "fixed", "satisfied",
        "satisfying", "satisfaction", "delighted", "delightful", "excited", "exciting", "impressed", "impressive",
        "recommend", "recommended", "enjoy", "enjoyed", "enjoying", "convenient", "conveniently", "reliable",
        "valuable", "worthwhile", "beneficial", "benefit", "benefits", "success", "successful", "successfully",
        "welcome", "cool", "thrilled", "relieved", "relief", "reassured", "reassuring", "comfortable", "confident",
        "accurate", "efficient", "efficiently", "effective", "flexible", "fair", "generous", "discount",
        "discounts", "save", "saved", "saving", "savings", "free", "bonus", "caring", "supportive", "sweet", "yay",
        "hooray", "congratulations", "congrats", "incredible", "phenomenal", "magnificent", "marvelous",
        "marvellous", "splendid", "stellar", "painless", "seamless", "seamlessly", "responsive", "attentive",
        "knowledgeable", "courteous", "respectful", "honest", "trust", "trusted", "trustworthy", "secure", "safe",
        "beautiful", "positive", "promising", "win", "winning", "improve", "improved", "improvement", "improving",
        "ideal", "favorite", "favourite", "cheerful", "calm", "adore", "admire", "fun", "joy", "luckily", "lucky",
        "fortunately", "fortunate", "handy", "useful", "informative", "smart", "clever", "prompt", "promptly",
        "timely", "sorted", "works", "worked", "valued", "likes", "liked", "superior",
        "exceptional", "exceptionally", "remarkable", "wow", "correct", "clear", "helping", "benefited",
    ]

    static let negative: Set<String> = [
        "angry", "anger", "angrier", "mad", "furious", "livid", "upset", "upsetting", "annoyed", "annoying",
        "annoyance", "annoy", "irritated", "irritating", "frustrated", "frustrating", "frustration", "disappointed",
        "disappointing", "disappointment", "unhappy", "dissatisfied", "unsatisfied", "unacceptable", "ridiculous",
        "absurd", "outrageous", "terrible", "terribly", "horrible", "horribly", "awful", "bad", "badly",
        "worse", "worst", "poor", "poorly", "useless", "pointless", "hopeless", "incompetent", "rude", "rudely",
        "unprofessional", "unhelpful", "wrong", "wrongly", "mistake", "mistakes", "mistaken", "error", "errors",
        "problem", "problems", "issue", "issues", "broken", "broke", "fail", "failed", "failing", "failure",
        "fails", "cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation", "complaint",
        "complaints", "complain", "complaining", "complained", "overcharged", "overcharge", "overcharging", "scam",
        "scammed", "fraud", "fraudulent", "cheated", "cheat", "lie", "lied", "lies", "lying", "liar", "misleading",
        "mislead", "misled", "hate", "hated", "hates", "hating", "sick", "tired", "waste", "wasted", "wasting",
        "delay", "delayed", "delays", "late", "slow", "slowly", "ignored", "ignore", "ignoring", "confusing",
        "confused", "confusion", "difficult", "difficulty", "impossible", "nightmare", "disaster", "disastrous",
        "disgusting", "disgusted", "disgrace", "disgraceful", "pathetic", "shameful", "shame", "stupid", "idiot",
        "idiotic", "nonsense", "crap", "damn", "sucks", "suck", "sucked", "lousy", "mediocre", "inadequate",
        "insufficient", "unreliable", "unfair", "unfairly", "unreasonable", "expensive", "overpriced", "costly",
        "threat", "threaten", "threatened", "threatening", "lawyer", "lawsuit", "sue", "suing", "escalate",
        "escalated", "escalation", "worried", "worry", "worrying", "concerned", "anxious", "stress", "stressed",
        "stressful", "scared", "afraid", "fear", "sad", "sadly", "unfortunately", "unfortunate", "regret",
        "regrettable", "inconvenience", "inconvenient", "hassle", "headache", "pain", "painful", "struggle",
        "struggling", "struggled", "trouble", "troubled", "troubling", "damaged", "damage", "defective", "faulty",
        "glitch", "bug", "bugs", "crash", "crashed", "crashes", "outage", "lost", "lose", "losing", "loss",
        "missing", "denied", "deny", "declined", "rejected", "reject", "refuse", "refused", "refusing", "dispute",
        "disputed", "unresolved", "worthless", "junk", "garbage", "trash", "horrendous", "dreadful", "appalling",
        "atrocious", "abysmal", "shocking", "shocked", "insulting", "insult", "insulted", "offended", "offensive",
        "disrespectful", "hostile", "aggressive", "negative", "miserable", "ugh", "argh", "bother", "bothered",
        "bothering", "overdue", "penalty", "penalties", "spam", "harass", "harassed", "harassment", "unbelievable",
        "incorrect", "inaccurate", "misunderstanding", "careless", "negligent", "irresponsible", "neglected",
        "abandoned", "disconnected", "unhelpfully", "unusable", "furiously", "fed", "sucky", "scammer",
        "ripped", "rip", "disappoint", "disappoints", "fault", "blame", "blamed", "hopelessly",
    ]

    /// Words that flip the polarity of a polar word up to ``negationReach`` tokens after them.
    static let negators: Set<String> = [
        "not", "no", "never", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't",
        "cannot", "couldn't", "won't", "wouldn't", "shouldn't", "haven't", "hasn't", "hadn't", "ain't", "nothing",
        "nobody", "none", "neither", "nor", "without", "hardly", "barely", "dont", "doesnt", "didnt", "isnt",
        "cant", "wont", "wasnt", "arent",
    ]

    /// How many tokens after a negator its flip reaches, within one clause.
    static let negationReach = 3

    /// Words that make the polar word right after them count ``intensifierWeight`` times.
    static let intensifiers: Set<String> = [
        "very", "really", "so", "extremely", "super", "totally", "absolutely", "incredibly", "completely",
        "truly", "highly", "especially", "particularly", "seriously", "quite", "utterly", "deeply", "awfully",
    ]

    static let intensifierWeight = 1.5
}
