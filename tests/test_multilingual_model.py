"""RAG_EMBED_MODEL accepts any local sentence-transformers folder, and RAG_EMBED_LANGUAGES="*" lets its
dense ranking count for every question language.

No model can be downloaded here, so the test builds one: a WordPiece tokenizer trained on a few
sentences, a one-layer BERT with random weights and mean pooling, saved as a sentence-transformers
folder. Random weights still embed identical text identically, which is what the assertions rely on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings

from rag.service import RagService
from rag.settings import FusionParams

DOCS = {
    "en-river.txt": "The Red River flows through Hanoi and carries rich silt to the delta every summer.",
    "en-coffee.txt": "Coffee farms in the Central Highlands export beans to many countries each year.",
    "vi-song.txt": "Sông Hồng chảy qua Hà Nội và mang phù sa màu mỡ về đồng bằng mỗi mùa hè.",
    "vi-caphe.txt": "Các trang trại cà phê ở Tây Nguyên xuất khẩu hạt cà phê sang nhiều nước mỗi năm.",
}


def _build_tiny_model(folder: Path) -> Path:
    """A sentence-transformers model made from scratch, offline, in well under a second of training."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling, Transformer
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.decoder = decoders.WordPiece()
    wordpiece.train_from_iterator(DOCS.values(), trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials))
    cls, sep = wordpiece.token_to_id("[CLS]"), wordpiece.token_to_id("[SEP]")
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    # transformers leaves this constructor (TokenizersBackend.__init__) unannotated.
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=wordpiece,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=128,
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=wordpiece.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    hf_dir = folder / "hf"
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=128)
    model = SentenceTransformer(modules=[transformer, Pooling(32, pooling_mode="mean")], device="cpu")
    out = folder / "tiny-st"
    model.save(str(out))
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bilingual-docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _service(home: Path, model: Path, languages: str) -> RagService:
    return RagService(
        make_settings(home, embed_model=str(model), embed_languages=languages, chunk_size=64, chunk_overlap=8)
    )


def test_a_locally_built_model_ingests_and_retrieves_end_to_end(
    tiny_model: Path, documents: Path, tmp_path: Path
) -> None:
    service = _service(tmp_path / "home", tiny_model, "*")
    report = service.ingest([documents])

    assert not report.failed
    assert service.embedder.model.get_embedding_dimension() == 32
    # Dense alone: the exact text of a document embeds to that document's vector, in either language.
    for name in ("vi-song.txt", "en-coffee.txt"):
        passages = service.retrieve(DOCS[name], mode="dense", top_k=4)
        assert passages[0].source == name
        assert passages[0].dense_score == pytest.approx(1.0, abs=1e-4)


def test_star_languages_fuse_the_dense_list_for_vietnamese_questions(
    tiny_model: Path, documents: Path, tmp_path: Path
) -> None:
    question = DOCS["vi-caphe.txt"]
    everywhere = _service(tmp_path / "all", tiny_model, "*")
    english_only = _service(tmp_path / "en", tiny_model, "en")
    for service in (everywhere, english_only):
        service.ingest([documents])

    fused = everywhere.retrieve(question, top_k=4)
    lexical_only = english_only.retrieve(question, top_k=4)

    assert fused[0].source == lexical_only[0].source == "vi-caphe.txt"
    # Both retrievers put the document first: with "*" its fused score holds both reciprocal ranks,
    # with "en" the Vietnamese question's dense list carries no weight and only BM25's rank counts.
    # The question is the document's sentence, so each also gains its sentence rerank weight in full
    # (rag.rerank): the dense list's when it is fused, the BM25-alone one when it is not.
    rrf_k = everywhere.settings.retrieval.fusion.rrf_k
    params = FusionParams()
    assert fused[0].score == pytest.approx((2 + params.sentence_weight) / (rrf_k + 1))
    assert lexical_only[0].score == pytest.approx((1 + params.sentence_weight_lexical_only) / (rrf_k + 1))


def test_a_missing_model_folder_is_an_error_that_names_the_setting(documents: Path, tmp_path: Path) -> None:
    from rag.errors import RagError

    service = _service(tmp_path / "home", tmp_path / "no-such-model", "*")
    with pytest.raises(RagError, match="RAG_EMBED_MODEL"):
        service.ingest([documents])
