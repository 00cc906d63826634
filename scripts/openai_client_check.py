"""The official `openai` Python package against a running `hirelm serve`: the client a user
would reach for, not our own HTTP code. Usage: openai_client_check.py BASE_URL [API_KEY]

Checks: the model list; a greedy chat completion, and the same streamed (its deltas join to the
same text, and the usage chunk comes when asked for); a structured output parsed by the SDK into
a pydantic model; embeddings. Exits non-zero with the failing check's message.
"""

import sys

from openai import OpenAI
from pydantic import BaseModel


class Skill(BaseModel):
    name: str
    years_of_experience: int


def main() -> None:
    base = sys.argv[1].rstrip("/")
    client = OpenAI(base_url=f"{base}/v1", api_key=sys.argv[2] if len(sys.argv) > 2 else "unused")

    ids = [m.id for m in client.models.list().data]
    assert ids, "GET /v1/models listed no model"
    model = ids[0]

    messages = [{"role": "user", "content": "Name one skill a hospital nurse needs."}]
    whole = client.chat.completions.create(
        model=model, messages=messages, max_tokens=24, temperature=0
    )
    text = whole.choices[0].message.content
    assert text, f"empty answer: {whole}"
    assert whole.usage.completion_tokens > 0, whole.usage

    parts, usage = [], None
    stream = client.chat.completions.create(
        model=model,
        messages=messages,
        max_tokens=24,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        if chunk.usage is not None:
            usage = chunk.usage
    assert "".join(parts) == text, f"streamed {''.join(parts)!r}, whole {text!r}"
    assert usage is not None and usage.completion_tokens == whole.usage.completion_tokens, usage

    parsed = client.beta.chat.completions.parse(
        model=model,
        messages=[{"role": "user", "content": "A skill a nurse needs, and years to learn it."}],
        response_format=Skill,
        max_tokens=64,
        temperature=0,
    )
    skill = parsed.choices[0].message.parsed
    assert isinstance(skill, Skill), f"not parsed: {parsed.choices[0].message}"

    vectors = client.embeddings.create(
        model="hirelm-encoder-minilm", input=["Senior Rust engineer", "Backend developer (Rust)"]
    )
    assert len(vectors.data) == 2, vectors
    assert len(vectors.data[0].embedding) == 384, len(vectors.data[0].embedding)

    print(f"ok: {len(ids)} models; chat {text!r}; parsed {skill!r}; embeddings of 384")


if __name__ == "__main__":
    main()
