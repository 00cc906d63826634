//! The chat templates, defined once so training and inference never disagree: SmolLM2's ChatML
//! and Gemma 3's turns (which have no system role: the system text opens the first user turn).
//!
//! ```text
//! <|im_start|>system                 <bos><start_of_turn>user
//! You are …<|im_end|>                You are …
//! <|im_start|>user
//! …<|im_end|>                        …<end_of_turn>
//! <|im_start|>assistant              <start_of_turn>model
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::tokenizer::TextTokenizer;

/// Opens a message.
pub const IM_START: &str = "<|im_start|>";
/// Closes a message; also the assistant's stop token.
pub const IM_END: &str = "<|im_end|>";
/// Opens a Gemma turn.
pub const START_OF_TURN: &str = "<start_of_turn>";
/// Closes a Gemma turn; also its stop token.
pub const END_OF_TURN: &str = "<end_of_turn>";
/// SmolLM2's own default system prompt, used when a conversation has none.
pub const SMOLLM2_DEFAULT_SYSTEM: &str =
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

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
        Self {
            role,
            content: content.into(),
        }
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

impl ChatTokens {
    /// Appends `ids`, marked as the assistant's or not.
    fn push(&mut self, ids: &[u32], assistant: bool) {
        self.ids.extend_from_slice(ids);
        self.assistant_mask
            .extend(std::iter::repeat_n(assistant, ids.len()));
    }
}

/// The id of a control token the template needs.
fn special_id(tokenizer: &TextTokenizer, token: &str) -> Result<u32> {
    tokenizer
        .token_id(token)
        .ok_or_else(|| ModelError::Tokenizer(format!("vocabulary has no `{token}` token")))
}

/// The turn markup a model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFormat {
    /// `<|im_start|>role\n…<|im_end|>\n` (SmolLM2).
    ChatMl,
    /// `<start_of_turn>user|model\n…<end_of_turn>\n`, system text prefixed to the first user turn
    /// and content trimmed, as Gemma 3's own template does. (Gemma's template refuses a system
    /// message after the first; here it becomes a user turn.)
    Gemma,
}

/// A chat template: the markup plus the default system prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTemplate {
    /// System prompt inserted when the conversation does not start with one.
    pub default_system: Option<String>,
    /// The markup.
    pub format: ChatFormat,
}

impl Default for ChatTemplate {
    fn default() -> Self {
        Self {
            default_system: Some(SMOLLM2_DEFAULT_SYSTEM.to_string()),
            format: ChatFormat::ChatMl,
        }
    }
}

impl ChatTemplate {
    /// Gemma 3's template (no default system prompt).
    pub fn gemma() -> Self {
        Self {
            default_system: None,
            format: ChatFormat::Gemma,
        }
    }

    /// The template a tokenizer's vocabulary was made for: Gemma's when it has
    /// `<start_of_turn>`, ChatML otherwise.
    pub fn for_tokenizer(tokenizer: &TextTokenizer) -> Self {
        if tokenizer.token_id(START_OF_TURN).is_some() {
            Self::gemma()
        } else {
            Self::default()
        }
    }

    /// The conversation as text, optionally opening the assistant's turn.
    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> String {
        if self.format == ChatFormat::Gemma {
            return self.render_gemma(messages, add_generation_prompt);
        }
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
        if self.format == ChatFormat::Gemma {
            return self.encode_gemma(tokenizer, messages, add_generation_prompt);
        }
        let special = |t: &str| special_id(tokenizer, t);
        let (start, end) = (special(IM_START)?, special(IM_END)?);
        let newline = tokenizer.encode("\n", false, false)?;
        let mut out = ChatTokens {
            ids: Vec::new(),
            assistant_mask: Vec::new(),
        };
        let mut push = |ids: &[u32], assistant: bool| out.push(ids, assistant);
        if tokenizer.add_bos
            && let Some(bos) = tokenizer.bos_id
        {
            push(&[bos], false);
        }
        for (role, content) in self.turns(messages) {
            let assistant = role == Role::Assistant.as_str();
            push(&[start], false);
            push(
                &tokenizer.encode(&format!("{role}\n"), false, false)?,
                false,
            );
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

    /// Gemma turns: `(role, content)` with the system text (and a blank line) opening the
    /// first user turn. A conversation of only a system message gives that opened turn
    /// unfinished, so its ids are a prefix of every conversation that continues it.
    fn gemma_turns(
        &self,
        messages: &[ChatMessage],
    ) -> (Option<String>, Vec<(&'static str, String)>) {
        let mut rest = messages;
        let mut system = self.default_system.clone();
        if let Some(first) = messages.first().filter(|m| m.role == Role::System) {
            // Gemma's own template trims turn content but not the system text.
            system = Some(first.content.clone());
            rest = &messages[1..];
        }
        let prefix = system.map(|s| format!("{s}\n\n"));
        let turns = rest
            .iter()
            .map(|m| {
                (
                    if m.role == Role::Assistant {
                        "model"
                    } else {
                        "user"
                    },
                    m.content.trim().to_string(),
                )
            })
            .collect();
        (prefix, turns)
    }

    fn render_gemma(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> String {
        let (prefix, turns) = self.gemma_turns(messages);
        let mut out = String::from("<bos>");
        if turns.is_empty()
            && let Some(p) = &prefix
        {
            out.push_str(&format!("{START_OF_TURN}user\n{p}"));
        }
        for (i, (role, content)) in turns.iter().enumerate() {
            let p = if i == 0 {
                prefix.as_deref().unwrap_or("")
            } else {
                ""
            };
            out.push_str(&format!(
                "{START_OF_TURN}{role}\n{p}{content}{END_OF_TURN}\n"
            ));
        }
        if add_generation_prompt {
            out.push_str(&format!("{START_OF_TURN}model\n"));
        }
        out
    }

    fn encode_gemma(
        &self,
        tokenizer: &TextTokenizer,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<ChatTokens> {
        let special = |t: &str| special_id(tokenizer, t);
        let (start, end) = (special(START_OF_TURN)?, special(END_OF_TURN)?);
        let (prefix, turns) = self.gemma_turns(messages);
        let prefix_ids = prefix
            .as_deref()
            .map(|p| tokenizer.encode(p, false, false))
            .transpose()?
            .unwrap_or_default();
        let newline = tokenizer.encode("\n", false, false)?;
        let mut out = ChatTokens {
            ids: Vec::new(),
            assistant_mask: Vec::new(),
        };
        let mut push = |ids: &[u32], assistant: bool| out.push(ids, assistant);
        // Gemma's template always opens with BOS, whatever the tokenizer's add_bos says.
        if let Some(bos) = tokenizer.bos_id {
            push(&[bos], false);
        }
        if turns.is_empty() && !prefix_ids.is_empty() {
            push(&[start], false);
            push(&tokenizer.encode("user\n", false, false)?, false);
            push(&prefix_ids, false);
        }
        for (i, (role, content)) in turns.iter().enumerate() {
            let assistant = *role == "model";
            push(&[start], false);
            push(
                &tokenizer.encode(&format!("{role}\n"), false, false)?,
                false,
            );
            if i == 0 {
                push(&prefix_ids, false);
            }
            push(&tokenizer.encode(content, false, false)?, assistant);
            push(&[end], assistant);
            push(&newline, false);
        }
        if add_generation_prompt {
            push(&[start], false);
            push(&tokenizer.encode("model\n", false, false)?, false);
        }
        Ok(out)
    }

    fn turns<'a>(
        &'a self,
        messages: &'a [ChatMessage],
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        let needs_system = messages.first().is_none_or(|m| m.role != Role::System);
        let system = self
            .default_system
            .as_deref()
            .filter(|_| needs_system)
            .map(|s| ("system", s));
        system.into_iter().chain(
            messages
                .iter()
                .map(|m| (m.role.as_str(), m.content.as_str())),
        )
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
            format!(
                "<|im_start|>system\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
            )
        );
    }

    #[test]
    fn gemma_puts_the_system_text_in_the_first_user_turn() {
        let msgs = [
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, " Hi"),
            ChatMessage::new(Role::Assistant, "Hello"),
        ];
        assert_eq!(
            ChatTemplate::gemma().render(&msgs, true),
            "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>model\n"
        );
        assert_eq!(
            ChatTemplate::gemma().render(&msgs[..1], false),
            "<bos><start_of_turn>user\nBe brief.\n\n"
        );
    }

    #[test]
    fn explicit_system_replaces_default() {
        let t = ChatTemplate::default();
        let msgs = [
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "Hi"),
        ];
        let text = t.render(&msgs, false);
        assert!(text.starts_with("<|im_start|>system\nBe brief.<|im_end|>\n"));
        assert!(!text.contains(SMOLLM2_DEFAULT_SYSTEM));
    }
}
