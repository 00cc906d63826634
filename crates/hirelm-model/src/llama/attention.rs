//! Grouped-query self-attention with RoPE and a causal mask.

use burn::module::Module;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, Tensor};

use super::cache::LayerCache;
use super::rope::RotaryEmbedding;
use crate::linear::AdaptableLinear;

/// Multi-head attention whose `num_kv_heads` key/value heads are shared by groups of query heads.
#[derive(Module, Debug)]
pub struct Attention {
    /// Query projection, `[d_model, heads·head_dim]`.
    pub q_proj: AdaptableLinear,
    /// Key projection, `[d_model, kv_heads·head_dim]`.
    pub k_proj: AdaptableLinear,
    /// Value projection, `[d_model, kv_heads·head_dim]`.
    pub v_proj: AdaptableLinear,
    /// Output projection, `[heads·head_dim, d_model]`.
    pub o_proj: AdaptableLinear,
    /// Number of query heads.
    #[module(skip)]
    pub num_heads: usize,
    /// Number of key/value heads.
    #[module(skip)]
    pub num_kv_heads: usize,
}

impl Attention {
    /// Attends causally over the cached history plus `x`.
    ///
    /// `mask` (true = blocked) replaces the plain causal mask when given, e.g. to keep packed
    /// examples from attending to each other; it must already be causal.
    ///
    /// # Shapes
    /// - x: `[batch, seq, d_model]`
    /// - mask: `[batch, 1, seq, past + seq]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(
        &self,
        x: Tensor<3>,
        rope: &RotaryEmbedding,
        cache: Option<&mut LayerCache>,
        mask: Option<Tensor<4, Bool>>,
    ) -> Tensor<3> {
        let [batch, seq, _] = x.dims();
        let head_dim = self.q_proj.dims()[1] / self.num_heads;
        let split =
            |t: Tensor<3>, heads: usize| t.reshape([batch, seq, heads, head_dim]).swap_dims(1, 2);
        let q = split(self.q_proj.forward(x.clone()), self.num_heads);
        let k = split(self.k_proj.forward(x.clone()), self.num_kv_heads);
        let v = split(self.v_proj.forward(x), self.num_kv_heads);

        let offset = cache.as_ref().map_or(0, |c| c.len());
        let q = rope.apply(q, offset);
        let k = rope.apply(k, offset);
        let (k, v) = match cache {
            Some(cache) => cache.append(k, v),
            None => (k, v),
        };
        // The fused CPU kernel shares KV heads across query groups itself; the autodiff
        // fallback is a plain matmul, which needs one KV head per query head.
        let (k, v) = if k.device().is_autodiff() && self.num_kv_heads != self.num_heads {
            let groups = self.num_heads / self.num_kv_heads;
            (repeat_kv(k, groups), repeat_kv(v, groups))
        } else {
            (k, v)
        };
        let options = AttentionModuleOptions {
            scale: None,
            softcap: None,
            is_causal: mask.is_none(),
        };
        let context = attention(q, k, v, mask, None, options);
        let context = context
            .swap_dims(1, 2)
            .reshape([batch, seq, self.num_heads * head_dim]);
        self.o_proj.forward(context)
    }
}

/// Repeats each KV head `groups` times along the head axis: `[b, kvh, s, d] -> [b, kvh·g, s, d]`.
fn repeat_kv(x: Tensor<4>, groups: usize) -> Tensor<4> {
    let [b, kvh, s, d] = x.dims();
    x.unsqueeze_dim::<5>(2)
        .expand([b, kvh, groups, s, d])
        .reshape([b, kvh * groups, s, d])
}
