//! [`EngineConfig`]: the shape of the network the engine runs, for both decoder families.

use hirelm_model::gemma3::Gemma3Config;
use hirelm_model::llama::LlamaConfig;

/// The decoder family: which norms, activation and embedding scale a block uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// SmolLM2: pre-norms only, SiLU-gated MLP.
    Llama,
    /// Gemma 3: embeddings scaled by √hidden, QK-norm, post-norms, GELU(tanh)-gated MLP.
    Gemma3,
}

/// How one layer attends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerAttention {
    /// RoPE base.
    pub rope_theta: f64,
    /// Positions a query sees (itself included); `None` is the whole context.
    pub window: Option<usize>,
}

/// Sizes and per-layer attention of a decoder, whichever family it is.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// The family.
    pub family: Family,
    /// Tokens in the vocabulary.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the gated MLP's hidden layer.
    pub intermediate_size: usize,
    /// Query heads.
    pub num_heads: usize,
    /// Key/value heads.
    pub num_kv_heads: usize,
    /// Width of one head.
    pub head_dim: usize,
    /// Longest context.
    pub max_seq_len: usize,
    /// Epsilon inside RMSNorm.
    pub rms_norm_eps: f64,
    /// Per layer: RoPE base and window.
    pub layers: Vec<LayerAttention>,
}

impl EngineConfig {
    /// Number of decoder blocks.
    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// Width of all query heads together.
    pub fn q_dim(&self) -> usize {
        self.num_heads * self.head_dim
    }

    /// Width of all key (or value) heads together.
    pub fn kv_dim(&self) -> usize {
        self.num_kv_heads * self.head_dim
    }
}

impl From<&LlamaConfig> for EngineConfig {
    fn from(c: &LlamaConfig) -> Self {
        Self {
            family: Family::Llama,
            vocab_size: c.vocab_size,
            hidden_size: c.hidden_size,
            intermediate_size: c.intermediate_size,
            num_heads: c.num_heads,
            num_kv_heads: c.num_kv_heads,
            head_dim: c.head_dim(),
            max_seq_len: c.max_seq_len,
            rms_norm_eps: c.rms_norm_eps,
            layers: vec![
                LayerAttention {
                    rope_theta: c.rope_theta,
                    window: None
                };
                c.num_layers
            ],
        }
    }
}

impl From<&Gemma3Config> for EngineConfig {
    fn from(c: &Gemma3Config) -> Self {
        let layer = |i: usize| {
            if c.is_global(i) {
                LayerAttention {
                    rope_theta: c.rope_theta,
                    window: None,
                }
            } else {
                LayerAttention {
                    rope_theta: c.rope_local_theta,
                    window: Some(c.sliding_window),
                }
            }
        };
        Self {
            family: Family::Gemma3,
            vocab_size: c.vocab_size,
            hidden_size: c.hidden_size,
            intermediate_size: c.intermediate_size,
            num_heads: c.num_heads,
            num_kv_heads: c.num_kv_heads,
            head_dim: c.head_dim,
            max_seq_len: c.max_seq_len,
            rms_norm_eps: c.rms_norm_eps,
            layers: (0..c.num_layers).map(layer).collect(),
        }
    }
}
