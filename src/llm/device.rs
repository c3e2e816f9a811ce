//! Where the model runs. CPU always; CUDA only in builds with the `cuda` feature.

use candle_core::Device;

use super::model::LlmError;

/// Parses `cpu`, `cuda` or `cuda:N`.
pub fn parse_device(spec: &str) -> Result<Device, LlmError> {
    let err = |message: &str| LlmError::Device { device: spec.to_string(), message: message.to_string() };
    match spec {
        "cpu" => Ok(Device::Cpu),
        s if s == "cuda" || s.starts_with("cuda:") => {
            let ordinal = match s.strip_prefix("cuda:") {
                Some(n) => n.parse().map_err(|_| err("expected cuda:N with N a GPU number"))?,
                None => 0,
            };
            cuda(ordinal).map_err(|e| err(&e))
        }
        _ => Err(err("expected cpu, cuda or cuda:N")),
    }
}

#[cfg(feature = "cuda")]
fn cuda(ordinal: usize) -> Result<Device, String> {
    Device::new_cuda(ordinal).map_err(|e| e.to_string())
}

#[cfg(not(feature = "cuda"))]
fn cuda(_ordinal: usize) -> Result<Device, String> {
    Err("this kgent was built without CUDA; rebuild with `cargo build --release --features cuda`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_parses_and_nonsense_is_named() {
        assert!(matches!(parse_device("cpu"), Ok(Device::Cpu)));
        let e = parse_device("tpu").unwrap_err().to_string();
        assert!(e.contains("'tpu'") && e.contains("cpu, cuda"), "{e}");
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_the_feature_says_how_to_get_it() {
        let e = parse_device("cuda:0").unwrap_err().to_string();
        assert!(e.contains("--features cuda"), "{e}");
    }
}
