//! The device: adapter and device acquisition with only the limits a model
//! needs, a pipeline cache keyed (and labelled) by kernel and constants, and
//! buffer helpers. Native and wasm32 share this path; `cfg` appears only in
//! the readback and in how a caller blocks on the futures.

use super::GpuError;
use super::kernels::Kernel;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wgpu::util::DeviceExt;

/// What a model needs from the device, checked against the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirements {
    /// Largest single storage buffer, bytes.
    pub storage_buffer_bytes: u64,
    /// Largest workgroup count along one dispatch dimension.
    pub workgroups_per_dimension: u32,
}

/// Storage buffers per kernel stage our kernels use at most (the WebGPU default).
pub const STORAGE_BUFFERS_PER_STAGE: u32 = 8;
/// Invocations per workgroup of our kernels (16 x 16 tiles; 256 threads).
pub const INVOCATIONS_PER_WORKGROUP: u32 = 256;
/// Workgroup memory of the matmul tiles: 2 x 16 x 64 f32.
pub const WORKGROUP_STORAGE_BYTES: u32 = 8192;
/// Workgroup memory of the wide tiles (`matmul_wide.wgsl`), requested where
/// the adapter has it: 2 stages x 2 operands x 16 x 128 f32.
pub const WIDE_WORKGROUP_STORAGE_BYTES: u32 = 32768;

/// What the adapter is, for the page and the CLI.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AdapterSummary {
    pub name: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
}

/// A device and the long-lived objects built on it.
pub struct GpuContext {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
    pub limits: wgpu::Limits,
    /// The adapter emulates a GPU on the CPU (SwiftShader, the browser's
    /// fallback adapter; lavapipe natively), where workgroup barriers are
    /// costly: the register-blocked product without them runs the MNIST-sized
    /// matrices 3.5x (lavapipe) to 4x (SwiftShader) faster than the tiles.
    pub emulated: bool,
    /// The device has the workgroup memory of the wide tiles.
    pub wide_tiles: bool,
    /// The subgroup size, where the device has subgroups of one fixed size
    /// from 4 to 64 lanes (NVIDIA: 32; SwiftShader: 4; lavapipe: 8), which
    /// `matmul_subgroup.wgsl` needs; `None` elsewhere (AMD's 32-or-64, no
    /// subgroups), where the portable kernels serve.
    pub subgroup_size: Option<u32>,
    /// The first error wgpu reported outside a call's result (a validation
    /// error, memory that could not be had): kept here, and returned by the
    /// next readback, instead of wgpu's default, which panics natively.
    errors: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    pipelines: RefCell<HashMap<String, Rc<CachedPipeline>>>,
}

/// A compiled kernel and its bind-group layout.
pub struct CachedPipeline {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
    pub label: String,
}

/// The limits to request: downlevel defaults, raised to what the model needs,
/// or an error naming the first limit the adapter cannot meet.
pub fn limits_for(adapter: &wgpu::Limits, need: Requirements) -> Result<wgpu::Limits, GpuError> {
    let mut limits = wgpu::Limits::downlevel_defaults();
    let checks: [(&str, u64, u64); 5] = [
        (
            "max_storage_buffer_binding_size",
            need.storage_buffer_bytes,
            adapter.max_storage_buffer_binding_size,
        ),
        (
            "max_buffer_size",
            need.storage_buffer_bytes,
            adapter.max_buffer_size,
        ),
        (
            "max_storage_buffers_per_shader_stage",
            STORAGE_BUFFERS_PER_STAGE as u64,
            adapter.max_storage_buffers_per_shader_stage as u64,
        ),
        (
            "max_compute_invocations_per_workgroup",
            INVOCATIONS_PER_WORKGROUP as u64,
            adapter.max_compute_invocations_per_workgroup as u64,
        ),
        (
            "max_compute_workgroups_per_dimension",
            need.workgroups_per_dimension as u64,
            adapter.max_compute_workgroups_per_dimension as u64,
        ),
    ];
    for (name, needed, available) in checks {
        if needed > available {
            return Err(GpuError::Limit {
                name: name.into(),
                needed,
                available,
            });
        }
    }
    if WORKGROUP_STORAGE_BYTES > adapter.max_compute_workgroup_storage_size {
        return Err(GpuError::Limit {
            name: "max_compute_workgroup_storage_size".into(),
            needed: WORKGROUP_STORAGE_BYTES as u64,
            available: adapter.max_compute_workgroup_storage_size as u64,
        });
    }
    limits.max_storage_buffer_binding_size = limits
        .max_storage_buffer_binding_size
        .max(need.storage_buffer_bytes);
    limits.max_buffer_size = limits.max_buffer_size.max(need.storage_buffer_bytes);
    limits.max_storage_buffers_per_shader_stage = STORAGE_BUFFERS_PER_STAGE;
    if adapter.max_compute_workgroup_storage_size >= WIDE_WORKGROUP_STORAGE_BYTES {
        limits.max_compute_workgroup_storage_size = limits
            .max_compute_workgroup_storage_size
            .max(WIDE_WORKGROUP_STORAGE_BYTES);
    }
    limits.max_compute_workgroups_per_dimension = limits
        .max_compute_workgroups_per_dimension
        .max(need.workgroups_per_dimension);
    Ok(limits)
}

/// The adapter's subgroup size when it offers subgroups of one size, a
/// power of two from 4 to 64 (one workgroup of `matmul_subgroup.wgsl` is one
/// subgroup, and its 4 x 8 block is stored in turns by the lanes).
pub fn fixed_subgroup_size(features: wgpu::Features, info: &wgpu::AdapterInfo) -> Option<u32> {
    let size = info.subgroup_min_size;
    (features.contains(wgpu::Features::SUBGROUP)
        && size == info.subgroup_max_size
        && size.is_power_of_two()
        && (4..=64).contains(&size))
    .then_some(size)
}

impl GpuContext {
    /// Finds an adapter and opens a device that meets `need`.
    pub async fn new(need: Requirements) -> Result<GpuContext, GpuError> {
        // Honours WGPU_BACKEND and friends, so a user can pick a backend.
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(super::plain_message(&e.to_string())))?;
        Self::from_adapter(adapter, need).await
    }

    /// Opens a device on a given adapter.
    pub async fn from_adapter(
        adapter: wgpu::Adapter,
        need: Requirements,
    ) -> Result<GpuContext, GpuError> {
        let limits = limits_for(&adapter.limits(), need)?;
        let info = adapter.get_info();
        let subgroup_size = fixed_subgroup_size(adapter.features(), &info);
        let features = if subgroup_size.is_some() {
            wgpu::Features::SUBGROUP
        } else {
            wgpu::Features::empty()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("ibp device"),
                required_features: features,
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| {
                let why = super::plain_message(&e.to_string());
                GpuError::Device(format!("the adapter could not open a device ({why})"))
            })?;
        let errors = std::sync::Arc::new(std::sync::Mutex::new(None));
        let slot = errors.clone();
        device.on_uncaptured_error(std::sync::Arc::new(move |e: wgpu::Error| {
            let mut first = slot.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert_with(|| super::plain_message(&e.to_string()));
        }));
        let emulated = info.device_type == wgpu::DeviceType::Cpu;
        let summary = AdapterSummary {
            name: if info.name.is_empty() {
                "unnamed adapter".into()
            } else {
                info.name.clone()
            },
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            driver: format!("{} {}", info.driver, info.driver_info)
                .trim()
                .to_string(),
        };
        Ok(GpuContext {
            adapter,
            device,
            queue,
            summary,
            wide_tiles: limits.max_compute_workgroup_storage_size >= WIDE_WORKGROUP_STORAGE_BYTES,
            subgroup_size,
            limits,
            emulated,
            errors,
            pipelines: RefCell::new(HashMap::new()),
        })
    }

    /// The first error wgpu reported since the last call, if any.
    pub fn take_error(&self) -> Option<String> {
        let mut first = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        first.take()
    }

    /// The pipeline of `kernel` with its override constants, compiled once.
    /// The cache key, `kernel.entry{NAME=value,...}`, is also its label.
    pub fn pipeline(&self, kernel: Kernel, constants: &[(&str, f64)]) -> Rc<CachedPipeline> {
        let mut sorted: Vec<(&str, f64)> = constants.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let key = format!(
            "{}.{}{{{}}}",
            kernel.name(),
            kernel.name(),
            sorted
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        if let Some(hit) = self.pipelines.borrow().get(&key) {
            return hit.clone();
        }
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(kernel.name()),
                source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
            });
        let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
            .bindings()
            .iter()
            .enumerate()
            .map(|(i, access)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: access.binding_type(),
                count: None,
            })
            .collect();
        let layout = self
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(&key),
                entries: &entries,
            });
        let pipeline_layout = self
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(&key),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&key),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(kernel.name()),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: &sorted,
                    ..Default::default()
                },
                cache: None,
            });
        let cached = Rc::new(CachedPipeline {
            pipeline,
            layout,
            label: key.clone(),
        });
        self.pipelines.borrow_mut().insert(key, cached.clone());
        cached
    }

    /// A storage buffer of `bytes` (at least 4), zeroed.
    pub fn storage(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(4).next_multiple_of(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A storage buffer holding `data`.
    pub fn storage_with<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        if data.is_empty() {
            return self.storage(label, 4);
        }
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(data),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
            })
    }

    /// A uniform buffer holding one parameter struct.
    pub fn uniform<T: bytemuck::Pod>(&self, label: &str, value: &T) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::bytes_of(value),
                usage: wgpu::BufferUsages::UNIFORM,
            })
    }

    /// A bind group for `pipeline`, binding `buffers` in order.
    pub fn bind(
        &self,
        label: &str,
        pipeline: &CachedPipeline,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &pipeline.layout,
            entries: &entries,
        })
    }
}
