//! Parameter bookkeeping of full fine-tuning: stable parameter ids (the optimiser's state is
//! keyed by them, so a resumed model must carry the ids it was saved with) and global
//! gradient-norm clipping over parameters of every rank.

use hirelm_model::burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use hirelm_model::burn::optim::GradientsParams;
use hirelm_model::burn::tensor::Tensor;

/// First id given by [`renumber_params`]; far from 0 so a mix-up with other ids is visible.
const FIRST_ID: u64 = 1 << 40;

struct Renumber(u64);

impl ModuleMapper for Renumber {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (_, tensor, mapper) = param.consume();
        self.0 += 1;
        Param::from_mapped_value(ParamId::from(self.0), tensor, mapper)
    }
}

/// Gives every float parameter of `module` the id of its position in traversal order, so two
/// loads of one architecture (fresh, or from a checkpoint) agree on ids.
pub fn renumber_params<M: Module>(module: M) -> M {
    module.map(&mut Renumber(FIRST_ID))
}

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    sum: f64,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let squares = g
                .powi_scalar(2)
                .sum()
                .into_data()
                .iter::<f32>()
                .next()
                .unwrap_or(f32::NAN);
            self.sum += f64::from(squares);
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: f64,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, g.mul_scalar(self.factor));
        }
    }
}

/// Scales the gradients of `module`'s parameters so their joint L2 norm is at most `max`;
/// returns the norm before clipping.
pub fn clip_global_norm<M: Module>(
    module: &M,
    grads: &mut GradientsParams,
    max: Option<f64>,
) -> f64 {
    let mut norm = SquaredNorm { grads, sum: 0.0 };
    module.visit(&mut norm);
    let norm = norm.sum.sqrt();
    if let Some(max) = max.filter(|m| norm > *m && norm.is_finite()) {
        module.visit(&mut Scale {
            grads,
            factor: max / norm,
        });
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use hirelm_model::bert::BertConfig;
    use hirelm_model::burn::tensor::Device;

    fn tiny() -> BertConfig {
        super::super::tiny_bert()
    }

    struct Ids(Vec<u64>);
    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.id.val());
        }
    }

    fn ids<M: Module>(m: &M) -> Vec<u64> {
        let mut v = Ids(Vec::new());
        m.visit(&mut v);
        v.0
    }

    #[test]
    fn two_loads_get_the_same_ids_and_the_ids_are_distinct() {
        let device = Device::flex();
        let a = renumber_params(tiny().init(&device).expect("a"));
        let b = renumber_params(tiny().init(&device).expect("b"));
        assert_eq!(ids(&a), ids(&b));
        let mut sorted = ids(&a);
        sorted.dedup();
        assert_eq!(sorted.len(), ids(&a).len());
        assert!(
            ids(&tiny().init(&device).expect("c")) != ids(&a),
            "fresh loads draw random ids"
        );
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // burn slices take one range per dimension
    fn clipping_is_joint_over_every_rank() {
        let device = Device::flex();
        let model = renumber_params(tiny().init(&device).expect("model"));
        let all = ids(&model);
        let mut grads = GradientsParams::new();
        // A rank-2 and a rank-1 parameter: the word embeddings (first) and the first LayerNorm
        // weight (fourth in traversal order).
        grads.register(
            ParamId::from(all[0]),
            Tensor::<2>::full([20, 8], 0.0, &device)
                .slice_assign([0..1, 0..1], Tensor::full([1, 1], 3.0, &device)),
        );
        grads.register(
            ParamId::from(all[3]),
            Tensor::<1>::zeros([8], &device).slice_assign([0..1], Tensor::full([1], 4.0, &device)),
        );
        let norm = clip_global_norm(&model, &mut grads, Some(1.0));
        assert!((norm - 5.0).abs() < 1e-5, "{norm}");
        let first = grads
            .get::<2>(ParamId::from(all[0]))
            .expect("kept")
            .into_data()
            .iter::<f32>()
            .next()
            .expect("v");
        let ln = grads
            .get::<1>(ParamId::from(all[3]))
            .expect("kept")
            .into_data()
            .iter::<f32>()
            .next()
            .expect("v");
        assert!(
            (first - 0.6).abs() < 1e-6 && (ln - 0.8).abs() < 1e-6,
            "{first} {ln}"
        );
    }
}
