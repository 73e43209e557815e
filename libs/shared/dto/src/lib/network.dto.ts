import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Body of `POST /api/network/upnp/map`, `/unmap` and `/check-ports`. Without `ports`: the proxy's own
 * three (BACKEND_PORT, FRONTEND_PORT, HTTPS_PORT). Map and unmap accept only those.
 */
export class NetworkPortsDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ArrayUnique()
  @IsInt({ each: true, message: 'ports must hold whole port numbers' })
  @Min(1, { each: true, message: 'ports must be from 1 to 65535' })
  @Max(65535, { each: true, message: 'ports must be from 1 to 65535' })
  ports?: number[];
}
