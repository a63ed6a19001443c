"""Tests of lmtutor.tagging: the data, the most-frequent-tag baseline, the BiLSTM tagger and its accuracy."""

from collections import Counter

import numpy as np
import pytest

from lmtutor import quiet_tensorflow

quiet_tensorflow()

from lmtutor import corpora, lm, tagging  # noqa: E402

LINES = [[("我们", "r"), ("爱", "v"), ("和平", "n"), ("。", "w")],
         [("他们", "r"), ("爱", "v"), ("工作", "vn"), ("。", "w")],
         [("工作", "v"), ("很", "d"), ("忙", "a"), ("。", "w")],
         [("你们", "r"), ("工作", "v"), ("。", "w")]]


def test_the_typo_tags_are_fixed_and_the_split_is_the_corpus_split():
    data = tagging.load_tagging()
    assert [len(part) for part in data] == [15_203, 1_901, 1_900]
    tags = Counter(tag for part in data for line in part for _, tag in line)
    assert len(tags) == 41 and not set(tagging.TAG_FIXES) & set(tags)
    assert min(tags.values()) > 1  # no one-off tag left
    raw = corpora.split_sequential(corpora.load_peoples_daily())
    assert [[w for w, _ in line] for line in raw.test] == [[w for w, _ in line] for line in data.test]
    assert tagging.fix_tags([[("面试", "vvn"), ("耳", "Yg"), ("镇国寺", "na"), ("的", "u")]]) == \
        [[("面试", "vn"), ("耳", "y"), ("镇国寺", "n"), ("的", "u")]]


def test_cut_keeps_every_word_once_in_order():
    line = [(str(i), "m") for i in range(95)]
    pieces = tagging.cut([line, line[:3]], size=40)
    assert [len(p) for p in pieces] == [40, 40, 15, 3]
    assert sum(pieces[:3], []) == line
    with pytest.raises(ValueError, match="size"):
        tagging.cut([line], size=0)
    with pytest.raises(ValueError, match=r"lines\[1\]"):
        tagging.cut([line, []])


def test_cut_with_pack_runs_the_lines_on_into_full_pieces():
    line = [(str(i), "m") for i in range(95)]
    short = [("a", "n"), ("b", "v"), ("c", "w")]
    pieces = tagging.cut([line, short, line[:7]], size=40, pack=True)
    assert [len(p) for p in pieces] == [40, 40, 25]  # 105 words: only the last piece is short
    assert sum(pieces, []) == line + short + line[:7]  # every word once, in order, across the line ends
    assert pieces[2][15:18] == short
    codec = tagging.TaggerCodec.build(LINES, min_freq=1)
    (x, first, last), y = codec.encode(LINES, size=6, pack=True)
    assert x.shape == y.shape == (3, 6) and (x[:2] != 0).all() and x[2].tolist()[3:] == [0, 0, 0]  # 15 words: 6 + 6 + 3
    assert [codec.tags[t] for t in y[1]] == ["vn", "w", "v", "d", "a", "w"]  # line 2 ends, line 3 follows
    assert codec.chars.decode(first[1, :2].tolist()) == ["工", "。"]
    with pytest.raises(TypeError, match="pack"):
        tagging.cut([line], pack="yes")


def test_most_frequent_tag_baseline_by_hand():
    baseline = tagging.MostFrequentTag(LINES)
    assert baseline.default == "v"  # 4 v and 4 w tie: the alphabetically first
    assert tagging.MostFrequentTag(LINES + [[("。", "w")]]).default == "w"  # 5 w against 4 v
    assert baseline.tag(["工作", "爱", "我们", "电脑"]) == ["v", "v", "r", "v"]  # 工作: v twice, vn once; 电脑 unseen
    tied = tagging.MostFrequentTag([[("打", "v"), ("打", "q")]])
    assert tied.tag(["打"]) == ["q"]  # a tie goes to the alphabetically first tag, on every run
    with pytest.raises(TypeError, match="words"):
        baseline.tag("工作")
    with pytest.raises(TypeError, match=r"words\[1\]"):
        baseline.tag(["工作", ""])


def test_tag_accuracy_counts_seen_and_unseen_words():
    gold = [[("新词", "n"), ("爱", "v"), ("。", "w")]]
    scores = tagging.tag_accuracy(gold, [["v", "v", "w"]], LINES)
    assert scores["all"] == pytest.approx(2 / 3) and scores["seen"] == 1.0 and scores["unseen"] == 0.0
    assert scores["unseen_share"] == pytest.approx(1 / 3)
    assert np.isnan(tagging.tag_accuracy([[("爱", "v")]], [["v"]], LINES)["unseen"])
    with pytest.raises(ValueError, match="predicted"):
        tagging.tag_accuracy(gold, [["v", "v"]], LINES)
    with pytest.raises(ValueError, match="predicted"):
        tagging.tag_accuracy(gold, [], LINES)
    with pytest.raises(TypeError, match="predicted"):
        tagging.tag_accuracy(gold, None, LINES)


def test_codec_encodes_words_first_and_last_characters_and_tags():
    codec = tagging.TaggerCodec.build(LINES, min_freq=2)
    assert codec.tags == ("a", "d", "n", "r", "v", "vn", "w")
    (x, first, last), y = codec.encode(LINES[:1], size=6)
    assert x.shape == first.shape == last.shape == y.shape == (1, 6)
    assert x[0, :4].tolist() == [1, codec.words["爱"], 1, codec.words["。"]]  # 我们, 和平 seen once: <unk>
    assert codec.chars.decode(first[0, :4].tolist()) == ["我", "爱", "和", "。"]
    assert codec.chars.decode(last[0, :4].tolist()) == ["们", "爱", "平", "。"]
    assert [codec.tags[t] for t in y[0, :4]] == ["r", "v", "n", "w"] and x[0, 4:].tolist() == [0, 0]
    words_only, _ = codec.encode(LINES, char_features=False)
    assert np.array_equal(words_only, codec.encode(LINES)[0][0])
    with pytest.raises(ValueError, match="tag 'zz'"):
        codec.encode([[("爱", "zz")]])
    with pytest.raises(TypeError, match=r"lines\[0\]\[0\]"):
        codec.encode([[("爱",)]])


@pytest.mark.parametrize("char_features", [True, False])
def test_tagger_learns_through_lm_train_and_masks_padding(char_features):
    lines = LINES * 8
    codec = tagging.TaggerCodec.build(lines, min_freq=1)
    config = tagging.TaggerConfig.for_codec(codec, word_dim=8, char_dim=4, hidden_size=8, dropout=0.0,
                                            char_features=char_features, learning_rate=0.05)
    model = tagging.build_tagger(config)
    inputs, targets = codec.encode(lines, size=6, char_features=char_features)
    history = lm.train(model, (inputs, targets), epochs=15, batch_size=8, verbose=False)
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    predicted = tagging.predict_tags(model, codec, LINES, size=6)
    assert tagging.tag_accuracy(LINES, predicted, lines)["all"] >= 0.9
    # padding is masked: the loss of the same pieces padded wider is the same
    wide_inputs, wide_targets = codec.encode(LINES, size=12, char_features=char_features)
    narrow_inputs, narrow_targets = codec.encode(LINES, size=4, char_features=char_features)
    assert model.evaluate(wide_inputs, wide_targets, verbose=0)[0] == pytest.approx(
        model.evaluate(narrow_inputs, narrow_targets, verbose=0)[0], rel=1e-4)
    # a sentence longer than one piece is tagged piece by piece and joined: one tag per word
    long = [w for line in LINES for w, _ in line]
    assert len(tagging.predict_tags(model, codec, [long], size=5)[0]) == len(long)


def test_tagger_reads_an_unseen_word_through_its_characters():
    codec = tagging.TaggerCodec.build(LINES, min_freq=1)
    model = tagging.build_tagger(tagging.TaggerConfig.for_codec(codec, word_dim=4, char_dim=4, hidden_size=4))
    (x, first, last), _ = codec.encode([[("你工", "v"), ("电脑", "n")]])
    assert x[0, :2].tolist() == [1, 1] and first[0, 0] != first[0, 1]  # both <unk> words, told apart by characters
    logits = model.predict({"x": x, "first": first, "last": last}, verbose=0)
    assert not np.allclose(logits[0, 0], logits[0, 1])
    words_only = tagging.build_tagger(tagging.TaggerConfig.for_codec(codec, word_dim=4, hidden_size=4, char_features=False))
    assert [t.name.split(":")[0] for t in words_only.inputs] == ["x"]


def test_tagger_bad_input():
    codec = tagging.TaggerCodec.build(LINES)
    model = tagging.build_tagger(tagging.TaggerConfig.for_codec(codec, word_dim=4, char_dim=4, hidden_size=4))
    with pytest.raises(TypeError, match="sentences"):
        tagging.predict_tags(model, codec, "我们爱和平")
    with pytest.raises(ValueError, match=r"sentences\[0\]"):
        tagging.predict_tags(model, codec, [[]])
    with pytest.raises(TypeError, match=r"sentences\[0\]"):
        tagging.predict_tags(model, codec, [["我们", ""]])
    other = tagging.TaggerCodec.build(LINES[:1])
    with pytest.raises(ValueError, match="model"):
        tagging.predict_tags(model, other, [["我们"]])
    with pytest.raises(ValueError, match="tags"):
        tagging.TaggerCodec(codec.words, codec.chars, ("n", "n"))
    with pytest.raises(ValueError, match="num_tags"):
        tagging.TaggerConfig(10, 10, 1)
    with pytest.raises(TypeError, match="char_features"):
        tagging.TaggerConfig(10, 10, 3, char_features="yes")


def test_lexicon_overrides_exactly_the_unk_words_it_saw():
    codec = tagging.TaggerCodec.build(LINES, min_freq=2)  # vocabulary: 爱 工作 。 (each seen twice or more)
    model = tagging.build_tagger(tagging.TaggerConfig.for_codec(codec, word_dim=4, char_dim=4, hidden_size=4))
    sentence = ["我们", "爱", "和平", "电脑", "工作", "。"]  # <unk>-but-known, in vocabulary, <unk>-but-known, never seen, ...
    plain = tagging.predict_tags(model, codec, [sentence])[0]
    other = {t: codec.tags[(codec.tags.index(t) + 1) % len(codec.tags)] for t in codec.tags}
    # a lexicon whose tag for each word it knows differs from the model's (电脑 it never saw)
    known = [w for w in sentence if w != "电脑"]
    lexicon = tagging.MostFrequentTag([[(w, other[plain[sentence.index(w)]]) for w in known]])
    fixed = tagging.predict_tags(model, codec, [sentence], lexicon=lexicon)[0]
    for word, before, after in zip(sentence, plain, fixed):
        if word in ("我们", "和平"):  # <unk> to the codec, seen by the lexicon: the lexicon's tag
            assert after == lexicon.tag([word])[0] != before
        else:  # in the vocabulary, or never seen by either: the model's tag
            assert after == before
    assert tagging.predict_tags(model, codec, [sentence], lexicon=tagging.MostFrequentTag(LINES))[0][:3] == ["r", plain[1], "n"]
    with pytest.raises(TypeError, match="lexicon"):
        tagging.predict_tags(model, codec, [sentence], lexicon={"我们": "r"})
    with pytest.raises(ValueError, match="lexicon"):
        tagging.predict_tags(model, codec, [sentence], lexicon=tagging.MostFrequentTag([[("我们", "nr")]]))


def test_size_none_tags_each_line_in_one_piece():
    codec = tagging.TaggerCodec.build(LINES, min_freq=1)
    model = _conv_tagger(codec, conv_layers=3)
    long = [w for line in LINES * 3 for w, _ in line]
    whole = tagging.predict_tags(model, codec, [long, long[:4]], size=None)
    assert whole == tagging.predict_tags(model, codec, [long, long[:4]], size=len(long))
    assert len(whole[0]) == len(long) and len(whole[1]) == 4
    # cut into pieces, words near a cut lose context the whole line has: the logits differ there
    (x, first, last), _ = codec.encode([[(w, "n") for w in long]], size=len(long))
    (xs, firsts, lasts), _ = codec.encode([[(w, "n") for w in long]], size=5)
    assert not np.allclose(model.predict({"x": x, "first": first, "last": last}, verbose=0)[0, 4],
                           model.predict({"x": xs, "first": firsts, "last": lasts}, verbose=0)[0, 4])
    too_long = ["我们"] * (tagging.MAX_WINDOW + 3)  # longer than MAX_WINDOW: still cut, one tag per word
    assert len(tagging.predict_tags(model, codec, [too_long], size=None)[0]) == len(too_long)


def _conv_tagger(codec, **settings):
    settings = {"word_dim": 8, "char_dim": 4, "hidden_size": 8, "encoder": "conv", "conv_layers": 2, "conv_width": 3,
                "dropout": 0.0, **settings}
    return tagging.build_tagger(tagging.TaggerConfig.for_codec(codec, **settings))


def test_conv_tagger_learns_and_padding_never_changes_a_real_word():
    lines = LINES * 8
    codec = tagging.TaggerCodec.build(lines, min_freq=1)
    model = _conv_tagger(codec, learning_rate=0.05)
    assert [layer.name for layer in model.layers if layer.name.startswith("conv_")] == ["conv_1", "conv_2"]
    assert not [layer for layer in model.layers if "lstm" in layer.name]
    inputs, targets = codec.encode(lines, size=6)
    history = lm.train(model, (inputs, targets), epochs=15, batch_size=8, verbose=False)
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    assert tagging.tag_accuracy(LINES, tagging.predict_tags(model, codec, LINES, size=6), lines)["all"] >= 0.9
    # the same words padded to 4 or to 12 positions: the real positions' logits are the same, the loss too
    narrow, narrow_targets = codec.encode(LINES, size=4)
    wide, wide_targets = codec.encode(LINES, size=12)
    narrow_logits, wide_logits = model.predict(narrow, verbose=0), model.predict(wide, verbose=0)
    assert narrow_logits.shape == (4, 4, len(codec.tags)) and wide_logits.shape == (4, 12, len(codec.tags))
    lengths = [len(line) for line in LINES]
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(narrow_logits[i, :n], wide_logits[i, :n], rtol=1e-5, atol=1e-5)
    assert model.evaluate(wide, wide_targets, verbose=0)[0] == pytest.approx(
        model.evaluate(narrow, narrow_targets, verbose=0)[0], rel=1e-4)


def test_conv_tagger_reads_conv_layers_times_half_its_width_either_side():
    codec = tagging.TaggerCodec.build(LINES, min_freq=1)
    model = _conv_tagger(codec, conv_layers=2, conv_width=3)  # each word reads 2 words left and 2 right
    words = ["我们", "爱", "和平", "。", "他们", "爱", "工作", "。", "你们"]
    changed = words[:4] + ["工作"] + words[5:]  # position 4 differs
    logits = [model.predict(dict(zip(("x", "first", "last"), codec.inputs([s], 9))), verbose=0)[0]
              for s in (words, changed)]
    differs = [not np.allclose(a, b, atol=1e-7) for a, b in zip(*logits)]
    assert differs == [False, False, True, True, True, True, True, False, False]


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")  # never trained: no slots saved
def test_conv_tagger_saves_and_loads(tmp_path):
    import keras

    codec = tagging.TaggerCodec.build(LINES, min_freq=1)
    model = _conv_tagger(codec, seed=3)
    model.save(tmp_path / "tagger.keras")
    loaded = keras.models.load_model(tmp_path / "tagger.keras")
    assert tagging.predict_tags(loaded, codec, LINES) == tagging.predict_tags(model, codec, LINES)
    (x, first, last), _ = codec.encode(LINES)
    np.testing.assert_allclose(loaded.predict([x, first, last], verbose=0), model.predict([x, first, last], verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_conv_tagger_config_is_checked():
    with pytest.raises(ValueError, match="encoder"):
        tagging.TaggerConfig(10, 10, 3, encoder="gru")
    with pytest.raises(TypeError, match="encoder"):
        tagging.TaggerConfig(10, 10, 3, encoder=None)
    with pytest.raises(ValueError, match="conv_width"):
        tagging.TaggerConfig(10, 10, 3, encoder="conv", conv_width=4)
    with pytest.raises(ValueError, match="conv_layers"):
        tagging.TaggerConfig(10, 10, 3, encoder="conv", conv_layers=0)
    with pytest.raises(TypeError, match="conv_layers"):
        tagging.TaggerConfig(10, 10, 3, encoder="conv", conv_layers=2.0)
