import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CreateGroupDto, GroupView, UpdateGroupDto } from '@mcp-proxy/shared/dto';
import { GroupsService } from './groups.service';

@ApiTags('groups')
@ApiSecurity('api-key')
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  list(): Promise<GroupView[]> {
    return this.groups.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a group of services, served at /mcp/g/<name>' })
  create(@Body() body: CreateGroupDto): Promise<GroupView> {
    return this.groups.create(body);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<GroupView> {
    return this.groups.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateGroupDto): Promise<GroupView> {
    return this.groups.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.groups.remove(id);
  }
}
