//! The ChatML chat template of SmolLM2, defined once so training and inference never disagree.
//!
//! ```text
//! <|im_start|>system
//! You are …<|im_end|>
//! <|im_start|>user
//! …<|im_end|>
//! <|im_start|>assistant
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::tokenizer::TextTokenizer;

/// Opens a message.
pub const IM_START: &str = "<|im_start|>";
/// Closes a message; also the assistant's stop token.
pub const IM_END: &str = "<|im_end|>";
/// SmolLM2's own default system prompt, used when a conversation has none.
pub const SMOLLM2_DEFAULT_SYSTEM: &str = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the assistant.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

impl Role {
    /// The role's name in the template.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Author.
    pub role: Role,
    /// Text.
    pub content: String,
}

impl ChatMessage {
    /// A message from `role`.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into() }
    }
}

/// A conversation rendered to token ids, with the mask training needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTokens {
    /// Token ids of the whole conversation.
    pub ids: Vec<u32>,
    /// `true` for tokens the assistant wrote: its content and its closing `<|im_end|>`.
    pub assistant_mask: Vec<bool>,
}

/// The ChatML template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTemplate {
    /// System prompt inserted when the conversation does not start with one.
    pub default_system: Option<String>,
}

impl Default for ChatTemplate {
    fn default() -> Self {
        Self { default_system: Some(SMOLLM2_DEFAULT_SYSTEM.to_string()) }
    }
}

impl ChatTemplate {
    /// The conversation as text, optionally opening the assistant's turn.
    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> String {
        let mut out = String::new();
        for (role, content) in self.turns(messages) {
            out.push_str(&format!("{IM_START}{role}\n{content}{IM_END}\n"));
        }
        if add_generation_prompt {
            out.push_str(&format!("{IM_START}assistant\n"));
        }
        out
    }

    /// The conversation as token ids, BOS first when the tokenizer asks for one. Message content
    /// is encoded as plain text, so a user cannot inject control tokens. For content without
    /// control-token text or leading whitespace the ids equal tokenising
    /// [`render`](Self::render)'s output with special tokens parsed (tested on the real
    /// tokenizer); otherwise the role line and the content are tokenised separately.
    pub fn encode(
        &self,
        tokenizer: &TextTokenizer,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<ChatTokens> {
        let special = |t: &str| {
            tokenizer.token_id(t).ok_or_else(|| ModelError::Tokenizer(format!("vocabulary has no `{t}` token")))
        };
        let (start, end) = (special(IM_START)?, special(IM_END)?);
        let newline = tokenizer.encode("\n", false, false)?;
        let mut out = ChatTokens { ids: Vec::new(), assistant_mask: Vec::new() };
        let mut push = |ids: &[u32], assistant: bool| {
            out.ids.extend_from_slice(ids);
            out.assistant_mask.extend(std::iter::repeat_n(assistant, ids.len()));
        };
        if tokenizer.add_bos {
            if let Some(bos) = tokenizer.bos_id {
                push(&[bos], false);
            }
        }
        for (role, content) in self.turns(messages) {
            let assistant = role == Role::Assistant.as_str();
            push(&[start], false);
            push(&tokenizer.encode(&format!("{role}\n"), false, false)?, false);
            push(&tokenizer.encode(content, false, false)?, assistant);
            push(&[end], assistant);
            push(&newline, false);
        }
        if add_generation_prompt {
            push(&[start], false);
            push(&tokenizer.encode("assistant\n", false, false)?, false);
        }
        Ok(out)
    }

    fn turns<'a>(&'a self, messages: &'a [ChatMessage]) -> impl Iterator<Item = (&'a str, &'a str)> {
        let needs_system = messages.first().is_none_or(|m| m.role != Role::System);
        let system = self.default_system.as_deref().filter(|_| needs_system).map(|s| ("system", s));
        system.into_iter().chain(messages.iter().map(|m| (m.role.as_str(), m.content.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_smollm2_layout_with_default_system() {
        let t = ChatTemplate::default();
        let text = t.render(&[ChatMessage::new(Role::User, "Hi")], true);
        assert_eq!(
            text,
            format!("<|im_start|>system\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        );
    }

    #[test]
    fn explicit_system_replaces_default() {
        let t = ChatTemplate::default();
        let msgs = [ChatMessage::new(Role::System, "Be brief."), ChatMessage::new(Role::User, "Hi")];
        let text = t.render(&msgs, false);
        assert!(text.starts_with("<|im_start|>system\nBe brief.<|im_end|>\n"));
        assert!(!text.contains(SMOLLM2_DEFAULT_SYSTEM));
    }
}
