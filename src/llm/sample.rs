//! Picking the next token from the model's logits: greedy (argmax), or a draw from the
//! temperature-softened distribution, optionally cut to its top-p nucleus. Draws come from a
//! seeded `StdRng`, so a sampled run is reproducible.

use candle_core::{Result, Tensor, D};
use rand::{Rng, SeedableRng};

/// How the next token is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    ArgMax,
    /// From the whole distribution at `temperature`.
    All {
        temperature: f64,
    },
    /// From the smallest set of most likely tokens whose probabilities add up to `p`.
    TopP {
        p: f64,
        temperature: f64,
    },
}

pub struct Sampler {
    rng: rand::rngs::StdRng,
    sampling: Sampling,
}

impl Sampler {
    pub fn new(seed: u64, sampling: Sampling) -> Sampler {
        Sampler { rng: rand::rngs::StdRng::seed_from_u64(seed), sampling }
    }

    /// The next token from a `(vocab)` vector of logits.
    pub fn sample(&mut self, logits: &Tensor) -> Result<u32> {
        let (temperature, p) = match self.sampling {
            Sampling::ArgMax => return logits.argmax(D::Minus1)?.to_scalar::<u32>(),
            Sampling::All { temperature } => (temperature, 1.0),
            Sampling::TopP { p, temperature } => (temperature, p),
        };
        let logits: Vec<f32> = logits.to_dtype(candle_core::DType::F32)?.to_vec1()?;
        Ok(self.draw(&logits, temperature as f32, p as f32))
    }

    /// The next token from logits already on the host (a grammar's mask applied to them).
    pub fn sample_slice(&mut self, logits: &[f32]) -> u32 {
        match self.sampling {
            // The first of equal maxima, as the tensor argmax takes.
            Sampling::ArgMax => logits.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (i, &l)| if l > best.1 { (i as u32, l) } else { best }).0,
            Sampling::All { temperature } => self.draw(logits, temperature as f32, 1.0),
            Sampling::TopP { p, temperature } => self.draw(logits, temperature as f32, p as f32),
        }
    }

    /// The next token from host logits, where `drafted` is the token a draft guessed and the
    /// model has already run after them. Greedy picks as [`Sampler::sample_slice`] does; a draw
    /// keeps the guess with its probability under the sampling distribution, else draws from
    /// that distribution without it (speculative sampling's rejection step: with a draft that
    /// is one token for sure, every token comes out with exactly the probability a plain draw
    /// gives it).
    pub fn sample_drafted(&mut self, logits: &[f32], drafted: Option<u32>) -> u32 {
        let (temperature, p) = match (self.sampling, drafted) {
            (Sampling::ArgMax, _) | (_, None) => return self.sample_slice(logits),
            (Sampling::All { temperature }, _) => (temperature as f32, 1.0),
            (Sampling::TopP { p, temperature }, _) => (temperature as f32, p as f32),
        };
        let drafted = drafted.expect("matched above");
        let Some(mut weights) = Self::weights(logits, temperature, p) else { return 0 };
        let kept: f32 = weights.iter().map(|w| w.1).sum();
        let guessed = weights.iter().find(|w| w.0 == drafted).map_or(0.0, |w| w.1);
        if self.rng.random::<f32>() * kept < guessed {
            return drafted;
        }
        weights.retain(|w| w.0 != drafted);
        self.pick(&weights).unwrap_or(drafted)
    }

    fn draw(&mut self, logits: &[f32], temperature: f32, p: f32) -> u32 {
        let Some(weights) = Self::weights(logits, temperature, p) else { return 0 };
        self.pick(&weights).unwrap_or(0)
    }

    /// Unnormalised probabilities of the tokens a draw may give (the nucleus when `p < 1`);
    /// `None` when every logit was -inf or NaN.
    fn weights(logits: &[f32], temperature: f32, p: f32) -> Option<Vec<(u32, f32)>> {
        // Softmax at the temperature, shifted by the largest logit so no exponent overflows.
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut weights: Vec<(u32, f32)> = logits.iter().enumerate().map(|(i, &l)| (i as u32, ((l - max) / temperature).exp())).collect();
        let total: f32 = weights.iter().map(|w| w.1).sum();
        if !(total > 0.0 && total.is_finite()) {
            return None;
        }
        if p < 1.0 {
            weights.sort_by(|a, b| b.1.total_cmp(&a.1));
            let mut mass = 0.0;
            let keep = weights
                .iter()
                .position(|w| {
                    mass += w.1 / total;
                    mass >= p
                })
                .map_or(weights.len(), |i| i + 1);
            weights.truncate(keep);
        }
        Some(weights)
    }

    /// A token drawn in proportion to `weights`.
    fn pick(&mut self, weights: &[(u32, f32)]) -> Option<u32> {
        let kept: f32 = weights.iter().map(|w| w.1).sum();
        let mut at = self.rng.random::<f32>() * kept;
        for &(token, w) in weights {
            if at < w {
                return Some(token);
            }
            at -= w;
        }
        weights.last().map(|w| w.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_largest_and_draws_follow_the_seed_and_the_nucleus() {
        let logits = Tensor::new(&[0.1f32, 3.0, -1.0, 2.9], &candle_core::Device::Cpu).unwrap();
        assert_eq!(Sampler::new(1, Sampling::ArgMax).sample(&logits).unwrap(), 1);
        let draws = |seed, s| (0..200).map(|_| 0).scan(Sampler::new(seed, s), |sm, _| Some(sm.sample(&logits).unwrap())).collect::<Vec<u32>>();
        let all = Sampling::All { temperature: 1.0 };
        assert_eq!(draws(7, all), draws(7, all), "the same seed draws the same tokens");
        assert_ne!(draws(7, all), draws(8, all));
        let seen = draws(7, all);
        assert!(seen.contains(&1) && seen.contains(&3) && seen.contains(&0), "{seen:?}");
        // Tokens 1 and 3 hold about 94% of the mass: a 0.9 nucleus keeps only them.
        let nucleus = draws(7, Sampling::TopP { p: 0.9, temperature: 1.0 });
        assert!(nucleus.iter().all(|t| *t == 1 || *t == 3) && nucleus.contains(&3), "{nucleus:?}");
        // A low temperature is nearly greedy.
        assert!(draws(7, Sampling::All { temperature: 0.001 }).iter().all(|t| *t == 1));
    }

    /// With a draft token, sampled draws keep the plain draw's distribution: the guess is kept
    /// with its probability, else the rest is drawn from (here, counted over many seeds).
    #[test]
    fn drafted_draws_follow_the_plain_distribution() {
        let logits = [0.1f32, 2.0, -1.0, 1.5, 0.7];
        for sampling in [Sampling::All { temperature: 1.0 }, Sampling::TopP { p: 0.8, temperature: 0.8 }] {
            let n = 20_000;
            let count = |guess: Option<u32>| {
                let mut c = [0usize; 5];
                for seed in 0..n {
                    c[Sampler::new(seed, sampling).sample_drafted(&logits, guess) as usize] += 1;
                }
                c
            };
            let plain = count(None);
            for guess in [1, 2, 3] {
                let drafted = count(Some(guess));
                for (t, (p, d)) in plain.iter().zip(&drafted).enumerate() {
                    let (p, d) = (*p as f64 / n as f64, *d as f64 / n as f64);
                    assert!((p - d).abs() < 0.015, "{sampling:?}, guess {guess}: token {t} drawn {d:.3} of the time, {p:.3} without a draft");
                }
            }
        }
        // Greedy ignores the guess.
        assert_eq!(Sampler::new(0, Sampling::ArgMax).sample_drafted(&logits, Some(4)), 1);
    }
}
