create table code_extra (id integer primary key);
insert into code_extra (id) values (1);
this is not sql;
