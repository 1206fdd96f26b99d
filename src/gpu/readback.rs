//! Reading device buffers: copy to a mappable staging buffer, `map_async`,
//! wait (natively by polling, in the browser by awaiting the callback).

use super::{GpuContext, GpuError};

/// Copies `bytes` of `source` from `offset` and returns them.
pub async fn read_bytes(
    ctx: &GpuContext,
    source: &wgpu::Buffer,
    offset: u64,
    bytes: u64,
) -> Result<Vec<u8>, GpuError> {
    let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback staging"),
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
    encoder.copy_buffer_to_buffer(source, offset, &staging, 0, bytes);
    ctx.queue.submit([encoder.finish()]);
    map_and_read(ctx, &staging).await
}

/// Maps a MAP_READ buffer (after its copy was submitted) and returns its bytes.
pub async fn map_and_read(ctx: &GpuContext, staging: &wgpu::Buffer) -> Result<Vec<u8>, GpuError> {
    let slice = staging.slice(..);
    let (sender, receiver) = futures_channel::oneshot::channel();
    slice.map_async(wgpu::MapMode::Read, move |result| {
        let _ = sender.send(result);
    });
    // Natively the device must be polled; in the browser the callback fires
    // on its own once the copy is done.
    #[cfg(target_arch = "wasm32")]
    let _ = ctx;
    #[cfg(not(target_arch = "wasm32"))]
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Device(super::plain_message(&e.to_string())))?;
    receiver
        .await
        .map_err(|_| GpuError::Readback("the map callback was dropped".into()))?
        .map_err(|e| GpuError::Readback(super::plain_message(&e.to_string())))?;
    if let Some(error) = ctx.take_error() {
        return Err(GpuError::Device(error));
    }
    let bytes = slice
        .get_mapped_range()
        .map_err(|e| GpuError::Readback(super::plain_message(&e.to_string())))?
        .to_vec();
    staging.unmap();
    Ok(bytes)
}

/// Reads `count` f32 values of `source` from element `offset`.
pub async fn read_f32(
    ctx: &GpuContext,
    source: &wgpu::Buffer,
    offset: usize,
    count: usize,
) -> Result<Vec<f32>, GpuError> {
    let bytes = read_bytes(ctx, source, 4 * offset as u64, 4 * count.max(1) as u64).await?;
    Ok(bytemuck::cast_slice(&bytes)[..count].to_vec())
}

/// Reads `count` u32 values of `source` from element `offset`.
pub async fn read_u32(
    ctx: &GpuContext,
    source: &wgpu::Buffer,
    offset: usize,
    count: usize,
) -> Result<Vec<u32>, GpuError> {
    let bytes = read_bytes(ctx, source, 4 * offset as u64, 4 * count.max(1) as u64).await?;
    Ok(bytemuck::cast_slice(&bytes)[..count].to_vec())
}
